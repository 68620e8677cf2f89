// The storefront's sign-in code, as a shop would write it with @medusajs/js-sdk (JWT mode, token in localStorage).
import Medusa from "@medusajs/js-sdk";

const config = JSON.parse(document.getElementById("config").textContent);
const sdk = new Medusa({ baseUrl: config.baseUrl, publishableKey: config.publishableKey, auth: { type: "jwt" } });
const status = document.getElementById("status");

function show(state, fields = {}) {
  for (const [id, text] of Object.entries(fields)) {
    document.getElementById(id).textContent = text;
  }
  status.dataset.state = state;
  status.textContent = state;
}

function claimsOf(token) {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(payload));
}

// The home page: "Sign in with Google" asks our API where to go and goes there.
export function wireSignInButton() {
  document.getElementById("sign-in").addEventListener("click", async () => {
    try {
      const result = await sdk.auth.login("customer", config.provider, { callback_url: config.callbackUrl });
      if (typeof result === "object" && result.location) {
        window.location.href = result.location;
        return;
      }
      show("error", { error: "no location in the answer" });
    } catch (error) {
      show("error", { error: error.message });
    }
  });
  show("ready");
}

// The callback page: hand the provider's query to our API, create the customer when the identity is new,
// refresh the token so it names the customer, then show who is signed in.
export async function completeSignIn() {
  try {
    const query = Object.fromEntries(new URLSearchParams(window.location.search));
    const token = await sdk.auth.callback("customer", config.provider, query);
    const claims = claimsOf(token);
    let created = false;
    if (!claims.actor_id) {
      await sdk.store.customer.create({
        email: claims.user_metadata.email,
        first_name: claims.user_metadata.given_name ?? "",
        last_name: claims.user_metadata.family_name ?? "",
      });
      await sdk.auth.refresh();
      created = true;
    }
    const { customer } = await sdk.store.customer.retrieve();
    show("signed-in", { email: customer.email, "customer-id": customer.id, created: String(created) });
  } catch (error) {
    show("error", { error: `${error.status ?? ""} ${error.message}` });
  }
}
