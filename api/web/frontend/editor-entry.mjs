// Entry point for api/web/static/vendor/codemirror.js (built by scripts/vendor-web.sh).
// esbuild bundles this as a minified IIFE; the only global it creates is
// window.JudgeEditor. Keep the export list in sync with README.md and the script's check.
//
// The two themes are ours: every token colour keeps WCAG AA contrast (4.5:1) on
// its background, which CodeMirror's default light style and One Dark's comments
// do not, and the page's accessibility test checks that.
import { basicSetup } from "codemirror";
import { EditorView, keymap } from "@codemirror/view";
import { EditorState, Compartment } from "@codemirror/state";
import { indentWithTab } from "@codemirror/commands";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";
import { python } from "@codemirror/lang-python";

function theme(dark, c) {
  const chrome = EditorView.theme({
    "&": { color: c.fg, backgroundColor: c.bg },
    ".cm-content": { caretColor: c.fg, fontFamily: "ui-monospace, Menlo, Consolas, monospace" },
    ".cm-cursor, .cm-dropCursor": { borderLeftColor: c.fg },
    ".cm-gutters": { backgroundColor: c.gutterBg, color: c.gutterFg, borderRight: `1px solid ${c.line}` },
    ".cm-activeLine": { backgroundColor: c.activeLine },
    ".cm-activeLineGutter": { backgroundColor: c.activeLine, color: c.fg },
    "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection":
      { backgroundColor: c.selection },
    ".cm-matchingBracket, .cm-nonmatchingBracket": { backgroundColor: c.selection, outline: `1px solid ${c.gutterFg}` },
    ".cm-tooltip": { backgroundColor: c.gutterBg, color: c.fg, border: `1px solid ${c.line}` },
    ".cm-panels": { backgroundColor: c.gutterBg, color: c.fg },
  }, { dark });
  const tokens = HighlightStyle.define([
    { tag: [t.keyword, t.controlKeyword, t.operatorKeyword, t.definitionKeyword, t.moduleKeyword], color: c.keyword },
    { tag: [t.comment, t.lineComment, t.blockComment, t.docComment], color: c.comment, fontStyle: "italic" },
    { tag: [t.string, t.docString, t.special(t.string)], color: c.string },
    { tag: [t.number, t.bool, t.null, t.atom], color: c.number },
    { tag: [t.function(t.variableName), t.function(t.definition(t.variableName)), t.definition(t.variableName)],
      color: c.func },
    { tag: [t.className, t.definition(t.className)], color: c.func, fontWeight: "bold" },
    { tag: [t.operator, t.punctuation, t.bracket], color: c.fg },
    { tag: [t.self, t.propertyName], color: c.property },
    { tag: t.invalid, color: c.invalid },
  ]);
  return [chrome, syntaxHighlighting(tokens)];
}

const lightTheme = theme(false, {
  fg: "#1b1f24", bg: "#ffffff", gutterBg: "#f3f4f6", gutterFg: "#4f5661", line: "#d0d7de", activeLine: "#eef3fb",
  selection: "#cfe0fb", keyword: "#8a1f8f", comment: "#4f5f6f", string: "#0b6b2f", number: "#8a4b00",
  func: "#0b57c2", property: "#5b3a96", invalid: "#a31515",
});
const darkTheme = theme(true, {
  fg: "#e6e8eb", bg: "#14171b", gutterBg: "#1d2127", gutterFg: "#aab1bb", line: "#3a414a", activeLine: "#20262e",
  selection: "#2f4a6e", keyword: "#e2a8ff", comment: "#a7b0bc", string: "#9ee0a8", number: "#ffc27a",
  func: "#8cb8ff", property: "#d2b8ff", invalid: "#ff9a9a",
});

window.JudgeEditor = Object.freeze({
  EditorView,
  EditorState,
  basicSetup,
  python,
  lightTheme,
  darkTheme,
  keymap,
  Compartment,
  indentWithTab,
});
