// Runs Shopify's own Node library (@shopify/shopify-api) over cases read as JSON on stdin
// and prints, for each case, whether the library accepts it: {"results": [true, ...]}.
// Case kinds: "admin" (query HMAC), "proxy" (app proxy signature), "webhook" (body HMAC),
// "session" (session token).
import '@shopify/shopify-api/adapters/node';
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api';

const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk) => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));

const shopify = shopifyApi({
  apiKey: input.api_key,
  apiSecretKey: input.api_secret,
  scopes: ['read_orders'],
  hostName: 'porch.test',
  apiVersion: ApiVersion.July25,
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error, log: () => {} },
});

async function accepted(check) {
  try {
    return await check();
  } catch {
    return false;
  }
}

async function run(c) {
  switch (c.kind) {
    case 'admin':
      return accepted(() => shopify.utils.validateHmac(c.query));
    case 'proxy':
      return accepted(() => shopify.utils.validateHmac(c.query, { signator: 'appProxy' }));
    case 'webhook': {
      const rawRequest = { method: 'POST', url: '/shopify/webhooks', headers: c.headers };
      const result = await shopify.webhooks.validate({ rawBody: c.body, rawRequest, rawResponse: {} });
      return result.valid;
    }
    case 'session':
      return accepted(async () => Boolean(await shopify.session.decodeSessionToken(c.token)));
    default:
      throw new Error(`unknown case kind ${c.kind}`);
  }
}

const results = [];
for (const c of input.cases) results.push(await run(c));
process.stdout.write(JSON.stringify({ results }));
