// Swagger UI set-up for /docs (replaces swagger-ui-dist's own swagger-initializer.js,
// which would load the Petstore example). The document is the one the workers serve;
// "Try it out" sends requests to this same origin. Authorize with a bearer token (from
// POST /api/v1/auth/login) or an API key (X-API-Key); persistAuthorization keeps it in
// this browser's localStorage across reloads until "Logout" in the Authorize dialog.
'use strict';
window.addEventListener('load', function () {
	window.ui = SwaggerUIBundle({
		url: '/api/v1/openapi.json',
		dom_id: '#swagger-ui',
		layout: 'BaseLayout',
		presets: [SwaggerUIBundle.presets.apis],
		deepLinking: true,
		persistAuthorization: true,
		displayRequestDuration: true,
		filter: true,
		// Never send the document to the public validator service.
		validatorUrl: null,
	});
});
