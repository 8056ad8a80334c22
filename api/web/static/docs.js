// Swagger UI for this server's own schema, from local files (the page's CSP allows nothing else).
window.addEventListener("DOMContentLoaded", function () {
  // validatorUrl null: no badge fetched from validator.swagger.io
  window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null });
});
