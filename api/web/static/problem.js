// The problem page: CodeMirror over the form's textarea, a draft per problem, reset, and Ctrl/Cmd+Enter.
(function () {
  "use strict";
  var form = document.getElementById("submit-form");
  var textarea = document.getElementById("code");
  if (!form || !textarea) { return; }
  var slug = form.dataset.slug;
  var draftKey = "judge-draft:" + slug;
  var starter = document.getElementById("starter").value;
  var status = document.getElementById("draft-status");
  var reset = document.getElementById("reset-starter");

  function readDraft() {
    try { return localStorage.getItem(draftKey); } catch (e) { return null; }
  }
  function saveDraft(code) {
    try {
      if (code === starter) { localStorage.removeItem(draftKey); } else { localStorage.setItem(draftKey, code); }
      status.textContent = code === starter ? "" : "Draft saved in this browser.";
    } catch (e) {
      status.textContent = "This browser does not keep drafts.";
    }
  }
  function submit() {
    if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.submit(); }
  }

  var draft = readDraft();
  var initial = draft !== null ? draft : textarea.value;
  if (reset) { reset.hidden = false; }
  var CM = window.JudgeEditor;
  if (!CM) {  // no editor bundle: the plain textarea still keeps a draft
    textarea.value = initial;
    textarea.addEventListener("input", function () { saveDraft(textarea.value); });
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); submit(); }
    });
    if (reset) { reset.addEventListener("click", function () { textarea.value = starter; saveDraft(starter); }); }
    return;
  }

  // CodeMirror styles itself with stylesheets it builds in script. Inside a shadow root those are constructed
  // (adopted) sheets, which the page's CSP (default-src 'self', nothing inline) allows; on the document
  // itself they would be <style> elements, which it blocks.
  var theme = new CM.Compartment();
  function themeFor(name) { return name === "dark" ? CM.darkTheme : CM.lightTheme; }
  var holder = document.getElementById("editor");
  var shadow = holder.attachShadow({ mode: "open" });
  var frame = CM.EditorView.theme({
    "&": { minHeight: "24rem", maxHeight: "70vh", border: "1px solid #7a828c", borderRadius: "6px" },
    "&.cm-focused": { outline: "3px solid #3d7be0", outlineOffset: "2px" },
    ".cm-scroller": { overflow: "auto", fontSize: "0.9rem", lineHeight: "1.5" }
  });
  var view = new CM.EditorView({
    parent: shadow,
    root: shadow,
    state: CM.EditorState.create({
      doc: initial,
      extensions: [
        CM.keymap.of([{ key: "Mod-Enter", run: function () { submit(); return true; } }]),
        CM.basicSetup,
        CM.keymap.of([CM.indentWithTab]),
        CM.python(),
        frame,
        theme.of(themeFor(document.documentElement.dataset.theme)),
        CM.EditorView.contentAttributes.of({
          "aria-label": document.getElementById("code-label").textContent, tabindex: "0"
        }),
        CM.EditorView.updateListener.of(function (update) {
          if (update.docChanged) { saveDraft(update.state.doc.toString()); }
        })
      ]
    })
  });
  window.judgeEditor = view;  // for the browser tests and for debugging from the console
  textarea.hidden = true;
  holder.hidden = false;
  document.getElementById("code-label").addEventListener("click", function () { view.focus(); });
  form.addEventListener("submit", function () {
    // a space pasted from a web page is often U+00A0, which Python refuses as a syntax error
    textarea.value = view.state.doc.toString().replace(/\u00a0/g, " ");
  });
  document.addEventListener("judge:theme", function (event) {
    view.dispatch({ effects: theme.reconfigure(themeFor(event.detail)) });
  });
  if (reset) {
    reset.addEventListener("click", function () {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: starter } });
      view.focus();
    });
  }
})();
