/* Swagger UI on Viva's own OpenAPI schema: a file of its own, as the pages' Content-Security-Policy runs
   no inline script. No validator badge: it would send the schema to validator.swagger.io. */
"use strict";

window.addEventListener("DOMContentLoaded", () => {
  SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null });
});
