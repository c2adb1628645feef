/**
 * The API's own documentation: the OpenAPI 3.1 document and Swagger UI. The UI's assets come from
 * the swagger-ui-dist package and are served by us, so the page works with no internet access.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../context.ts';
import { problemResponses } from '../schemas.ts';

const tags = ['Documentation'];
const SWAGGER_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist'));

/** The Swagger UI assets we serve, by the file name they have in swagger-ui-dist. */
const ASSETS = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
} as const;

// Relative URLs, so the page also works when a proxy serves the API under a path prefix.
const SWAGGER_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>pg-cron-scheduler API</title>
    <link rel="stylesheet" href="doc/swagger-ui.css">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="doc/swagger-ui-bundle.js"></script>
    <script>
      window.ui = SwaggerUIBundle({ url: 'openapi.json', dom_id: '#swagger-ui', deepLinking: true });
    </script>
  </body>
</html>
`;

const openapiJson = createRoute({
  method: 'get',
  path: '/openapi.json',
  tags,
  summary: 'This OpenAPI 3.1 document',
  responses: {
    200: {
      description: 'The document.',
      content: {
        'application/json': { schema: z.record(z.string(), z.unknown()).openapi({ example: { openapi: '3.1.0' } }) },
      },
    },
    ...problemResponses(500),
  },
});

const swaggerUi = createRoute({
  method: 'get',
  path: '/doc',
  tags,
  summary: 'Swagger UI',
  responses: {
    200: { description: 'The Swagger UI page.', content: { 'text/html': { schema: z.string() } } },
    ...problemResponses(500),
  },
});

const swaggerCss = createRoute({
  method: 'get',
  path: '/doc/swagger-ui.css',
  tags,
  summary: 'Swagger UI stylesheet',
  responses: {
    200: { description: 'The stylesheet.', content: { 'text/css': { schema: z.string() } } },
    ...problemResponses(500),
  },
});

const swaggerJs = createRoute({
  method: 'get',
  path: '/doc/swagger-ui-bundle.js',
  tags,
  summary: 'Swagger UI script',
  responses: {
    200: { description: 'The script.', content: { 'text/javascript': { schema: z.string() } } },
    ...problemResponses(500),
  },
});

const docsRedirect = createRoute({
  method: 'get',
  path: '/docs',
  tags,
  summary: 'Redirects to /doc',
  responses: {
    302: {
      description: 'To the Swagger UI.',
      headers: { Location: { description: 'Always `doc`.', schema: { type: 'string', example: 'doc' } } },
    },
    ...problemResponses(500),
  },
});

/**
 * The documentation sub-app (mounted at the root). `document` builds the OpenAPI document of the
 * whole app; it is built once, on first request, after every sub-app has been mounted.
 */
export function createDocsApp(document: () => unknown): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  let cached: unknown;
  const assets = new Map<string, Promise<Buffer>>();
  const asset = (name: keyof typeof ASSETS) => {
    let file = assets.get(name);
    if (!file) {
      file = readFile(path.join(SWAGGER_DIR, name));
      // A failed read is not cached: the next request tries again.
      file.catch(() => assets.delete(name));
      assets.set(name, file);
    }
    return file;
  };
  const serveAsset = async (name: keyof typeof ASSETS) =>
    new Response(new Uint8Array(await asset(name)), {
      status: 200,
      headers: { 'Content-Type': ASSETS[name], 'Cache-Control': 'public, max-age=3600' },
    });

  app.openapi(openapiJson, (c) => {
    cached ??= document();
    return c.json(cached as Record<string, unknown>, 200);
  });
  app.openapi(swaggerUi, (c) => c.html(SWAGGER_HTML, 200));
  app.openapi(swaggerCss, () => serveAsset('swagger-ui.css'));
  app.openapi(swaggerJs, () => serveAsset('swagger-ui-bundle.js'));
  app.openapi(docsRedirect, (c) => c.redirect('doc', 302));

  return app;
}
