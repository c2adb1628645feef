/**
 * The API's own documentation: the OpenAPI 3.1 document, Swagger UI (`/doc`) and ReDoc (`/redoc`).
 * Both viewers' scripts ship with the package and are served by us, so the pages work offline; every
 * URL in the pages is relative, so they also work under the prefix a user mounts the app at.
 */
import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../context.ts';
import { problemResponses } from '../schemas.ts';

const tags = ['Documentation'];
/** Open routes: no token, whatever the server's configuration. */
const security: { [name: string]: string[] }[] = [];
const require = createRequire(import.meta.url);

/**
 * Where each viewer asset is read from. Swagger UI comes from the swagger-ui-dist dependency. ReDoc's
 * standalone script is copied next to the built server by the build (scripts/build.sh), so users do
 * not install redoc's own hundred-odd packages; from the sources it is read from the redoc devDependency.
 */
const ASSETS = {
  'swagger-ui.css': {
    type: 'text/css; charset=utf-8',
    candidates: () => [path.join(path.dirname(require.resolve('swagger-ui-dist')), 'swagger-ui.css')],
  },
  'swagger-ui-bundle.js': {
    type: 'text/javascript; charset=utf-8',
    candidates: () => [path.join(path.dirname(require.resolve('swagger-ui-dist')), 'swagger-ui-bundle.js')],
  },
  'redoc.standalone.js': {
    type: 'text/javascript; charset=utf-8',
    candidates: () => [
      fileURLToPath(new URL('../assets/redoc.standalone.js', import.meta.url)),
      // Only in this repository (a devDependency); resolving it fails in an installed package.
      () => require.resolve('redoc/bundles/redoc.standalone.js'),
    ],
  },
} as const satisfies Record<string, { type: string; candidates: () => (string | (() => string))[] }>;
type AssetName = keyof typeof ASSETS;

// Relative URLs, so the page also works when the app is mounted or proxied under a path prefix.
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

const REDOC_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>pg-cron-scheduler API</title>
    <style>body { margin: 0; padding: 0; }</style>
  </head>
  <body>
    <redoc spec-url="openapi.json"></redoc>
    <script src="redoc/redoc.standalone.js"></script>
  </body>
</html>
`;

/** Every documentation route can also answer 413: the size limit applies to every request body. */
const openErrors = () => problemResponses(413, 500);

const page = (routePath: string, operationId: string, summary: string, description: string) =>
  createRoute({
    method: 'get',
    path: routePath,
    operationId,
    tags,
    summary,
    security,
    responses: {
      200: { description, content: { 'text/html': { schema: z.string() } } },
      ...openErrors(),
    },
  });

const asset = (routePath: string, operationId: string, summary: string, mediaType: string) =>
  createRoute({
    method: 'get',
    path: routePath,
    operationId,
    tags,
    summary,
    security,
    responses: {
      200: { description: `The file, cacheable for an hour.`, content: { [mediaType]: { schema: z.string() } } },
      ...openErrors(),
    },
  });

const openapiJson = createRoute({
  method: 'get',
  path: '/openapi.json',
  operationId: 'getOpenApiDocument',
  tags,
  summary: 'This OpenAPI 3.1 document',
  security,
  responses: {
    200: {
      description: 'The document; its `servers` entry is the path prefix the API is served under.',
      content: {
        'application/json': { schema: z.record(z.string(), z.unknown()).openapi({ example: { openapi: '3.1.0' } }) },
      },
    },
    ...openErrors(),
  },
});

const swaggerUi = page('/doc', 'getSwaggerUi', 'Swagger UI', 'The Swagger UI page.');
const swaggerCss = asset('/doc/swagger-ui.css', 'getSwaggerUiStylesheet', 'Swagger UI stylesheet', 'text/css');
const swaggerJs = asset('/doc/swagger-ui-bundle.js', 'getSwaggerUiScript', 'Swagger UI script', 'text/javascript');
const redoc = page('/redoc', 'getRedoc', 'ReDoc', 'The ReDoc page.');
const redocJs = asset('/redoc/redoc.standalone.js', 'getRedocScript', 'ReDoc script', 'text/javascript');

const docsRedirect = createRoute({
  method: 'get',
  path: '/docs',
  operationId: 'redirectToSwaggerUi',
  tags,
  summary: 'Redirects to /doc',
  security,
  responses: {
    302: {
      description: 'To the Swagger UI.',
      headers: { Location: { description: 'Always `doc`.', schema: { type: 'string', example: 'doc' } } },
    },
    ...openErrors(),
  },
});

/** The first candidate file that exists, looked up once per asset. */
async function locate(name: AssetName): Promise<string> {
  for (const candidate of ASSETS[name].candidates()) {
    try {
      const file = typeof candidate === 'string' ? candidate : candidate();
      await access(file);
      return file;
    } catch {
      // The next candidate.
    }
  }
  throw new Error(`the documentation asset ${name} is missing: reinstall the package (or run npm run build)`);
}

/**
 * The documentation sub-app (mounted at the root). `document` builds the OpenAPI document of the
 * whole app; it is built once, on first request, after every sub-app has been mounted. Each
 * response gets `servers` from the prefix this request came through.
 */
export function createDocsApp(document: () => object): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  let built: object | undefined;
  const files = new Map<AssetName, Promise<string>>();
  // Read from disk on each request rather than held in memory: they are megabytes, rarely asked for,
  // and browsers cache them.
  const serveAsset = async (name: AssetName) => {
    let file = files.get(name);
    if (!file) {
      file = locate(name);
      // A failed lookup is not kept: the next request tries again.
      file.catch(() => files.delete(name));
      files.set(name, file);
    }
    return new Response(new Uint8Array(await readFile(await file)), {
      status: 200,
      headers: { 'Content-Type': ASSETS[name].type, 'Cache-Control': 'public, max-age=3600' },
    });
  };

  app.openapi(openapiJson, (c) => {
    built ??= document();
    return c.json({ ...built, servers: [{ url: c.get('mountPath') || '/', description: 'This server' }] }, 200);
  });
  app.openapi(swaggerUi, (c) => c.html(SWAGGER_HTML, 200));
  app.openapi(swaggerCss, () => serveAsset('swagger-ui.css'));
  app.openapi(swaggerJs, () => serveAsset('swagger-ui-bundle.js'));
  app.openapi(redoc, (c) => c.html(REDOC_HTML, 200));
  app.openapi(redocJs, () => serveAsset('redoc.standalone.js'));
  app.openapi(docsRedirect, (c) => c.redirect('doc', 302));

  return app;
}
