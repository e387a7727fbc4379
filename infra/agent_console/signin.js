// Agents sign in with Cognito's hosted UI: the authorisation code flow with PKCE (a public client:
// no secret in the browser), the tokens kept in this tab's sessionStorage, the hour-long access
// token renewed with the refresh token a minute before it expires. config.js, which the stack
// writes beside this file, names the sign-in domain, the app client and the API; without it (the
// local stack) the console takes a pasted token instead.
(function () {
  "use strict";
  const config = window.SOCIALCARE_CONFIG || null;
  const store = sessionStorage;
  const redirectUri = () => location.origin + location.pathname;
  const base64url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const random = (bytes) => base64url(crypto.getRandomValues(new Uint8Array(bytes)));

  async function start() {
    const verifier = random(48);
    const state = random(16);
    const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
    store.setItem("pkceVerifier", verifier);
    store.setItem("pkceState", state);
    const query = new URLSearchParams({
      response_type: "code", client_id: config.clientId, redirect_uri: redirectUri(),
      scope: "openid socialcare/agent", state, code_challenge: challenge, code_challenge_method: "S256",
    });
    location.assign(config.auth + "/oauth2/authorize?" + query);
  }

  async function exchange(form) {
    const response = await fetch(config.auth + "/oauth2/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: config.clientId, ...form }),
    });
    if (!response.ok) {
      signOutHere();
      throw new Error("Your session has ended: sign in again.");
    }
    const issued = await response.json();
    store.setItem("agentToken", issued.access_token);
    store.setItem("agentTokenExpires", String(Date.now() + issued.expires_in * 1000));
    if (issued.refresh_token) store.setItem("agentRefresh", issued.refresh_token);
    return issued.access_token;
  }

  // Back from the hosted UI with ?code=...&state=...: the code and this tab's verifier for tokens.
  async function complete() {
    const params = new URLSearchParams(location.search);
    if (!config || !params.has("code")) return null;
    history.replaceState(null, "", redirectUri());
    const verifier = store.getItem("pkceVerifier");
    const expected = store.getItem("pkceState");
    store.removeItem("pkceVerifier");
    store.removeItem("pkceState");
    if (!verifier || params.get("state") !== expected) throw new Error("That sign-in was not started here: sign in again.");
    return exchange({ grant_type: "authorization_code", code: params.get("code"), redirect_uri: redirectUri(), code_verifier: verifier });
  }

  // The access token to send now: renewed first when it expires within a minute.
  async function current() {
    const token = store.getItem("agentToken") || "";
    const refresh = store.getItem("agentRefresh");
    const left = Number(store.getItem("agentTokenExpires") || 0) - Date.now();
    if (!config || !refresh || left > 60000) return token;
    return exchange({ grant_type: "refresh_token", refresh_token: refresh });
  }

  function signOutHere() {
    for (const key of ["agentToken", "agentTokenExpires", "agentRefresh"]) store.removeItem(key);
  }

  function signOut() {
    signOutHere();
    if (config) location.assign(config.auth + "/logout?" + new URLSearchParams({ client_id: config.clientId, logout_uri: redirectUri() }));
  }

  window.SocialcareSignIn = { hosted: Boolean(config), api: config ? config.api : null, start, complete, current, signOut };
})();
