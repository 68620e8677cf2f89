// A minimal storefront on loopback for the browser test: a home page with "Sign in with Google" and the OAuth
// callback page, both running @medusajs/js-sdk's own ES modules in the browser (see storefront/qs.js for the one
// dependency replaced), plus the files those pages import.
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const nodeModules = resolve(here, "../node_modules");
const files = {
  "/vendor/js-sdk/": join(nodeModules, "@medusajs/js-sdk/dist/esm/"),
  "/vendor/fetch-event-stream/": join(nodeModules, "fetch-event-stream/esm/"),
  "/app/": join(here, "storefront/"),
};

const importMap = {
  imports: {
    "@medusajs/js-sdk": "/vendor/js-sdk/index.js",
    "fetch-event-stream": "/vendor/fetch-event-stream/mod.js",
    qs: "/app/qs.js",
  },
};

function page(title, config, body, script) {
  return `<!doctype html>
<html>
<head>
  <meta charset="utf-8">
  <title>${title}</title>
  <script type="importmap">${JSON.stringify(importMap)}</script>
  <script type="application/json" id="config">${JSON.stringify(config)}</script>
</head>
<body>
  ${body}
  <p>Status: <span id="status" data-state="loading">loading</span></p>
  <p>Error: <span id="error"></span></p>
  <script type="module">${script}</script>
</body>
</html>`;
}

/**
 * Starts the storefront on a free loopback port. Its origin is known first, so the API can be started with that
 * origin allowed (CORS) and its callback URL on the provider's allowlist; then `setApi({ baseUrl, publishableKey })`
 * tells the pages which API to call. Returns { origin, callbackUrl, setApi(api), stop() }.
 */
export async function startStorefront({ provider = "google" } = {}) {
  let api;
  const server = createServer(async (request, response) => {
    const url = new URL(request.url, "http://127.0.0.1");
    try {
      if (url.pathname === "/") {
        const config = { ...api, provider, callbackUrl: storefront.callbackUrl };
        return send(response, 200, "text/html; charset=utf-8", page(
          "Shop",
          config,
          `<h1>Shop</h1><button id="sign-in">Sign in with Google</button>`,
          `import { wireSignInButton } from "/app/app.js"; wireSignInButton();`,
        ));
      }
      if (url.pathname === `/auth/${provider}/callback`) {
        const config = { ...api, provider, callbackUrl: storefront.callbackUrl };
        return send(response, 200, "text/html; charset=utf-8", page(
          "Signing in",
          config,
          `<h1>Account</h1><p>E-mail: <span id="email"></span></p><p>Customer: <span id="customer-id"></span></p>` +
            `<p>New account: <span id="created"></span></p>`,
          `import { completeSignIn } from "/app/app.js"; completeSignIn();`,
        ));
      }
      for (const [prefix, directory] of Object.entries(files)) {
        if (url.pathname.startsWith(prefix)) {
          const path = normalize(join(directory, url.pathname.slice(prefix.length)));
          if (!path.startsWith(directory) || !path.endsWith(".js")) {
            break;
          }
          return send(response, 200, "text/javascript; charset=utf-8", await readFile(path));
        }
      }
      send(response, 404, "text/plain", "not found");
    } catch (error) {
      send(response, error.code === "ENOENT" ? 404 : 500, "text/plain", String(error.message));
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const origin = `http://127.0.0.1:${server.address().port}`;
  const storefront = {
    origin,
    callbackUrl: `${origin}/auth/${provider}/callback`,
    setApi(value) {
      api = value;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  return storefront;
}

function send(response, status, type, body) {
  response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  response.end(body);
}
