/* socialcare web chat widget: one script tag on the brand's page.
 *
 *   <script src="widget.js" data-api="https://API-ID.execute-api.REGION.amazonaws.com"></script>
 *
 * data-api is the stack's ApiUrl (empty: the page's own origin, as on the local stack). The
 * widget opens a session (POST /webchat/session), sends each message to /webhooks/webchat with
 * the session's bearer token, and long-polls /webchat/replies for the agent's answers.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var api = ((script && script.getAttribute("data-api")) || "").replace(/\/$/, "");
  var session = null;
  var cursor = "";
  var polling = false;

  var panel = document.createElement("section");
  panel.className = "socialcare-chat";
  panel.setAttribute("aria-label", "Customer care chat");
  panel.innerHTML =
    '<header>Lumen &amp; Co. help</header>' +
    '<ol class="socialcare-log" aria-live="polite"></ol>' +
    '<form class="socialcare-form"><input name="text" autocomplete="off" maxlength="2000" ' +
    'placeholder="Ask about orders, delivery, returns ..." aria-label="Your message">' +
    '<button type="submit">Send</button></form>';
  var style = document.createElement("style");
  style.textContent =
    ".socialcare-chat{position:fixed;right:16px;bottom:16px;width:340px;max-height:70vh;" +
    "display:flex;flex-direction:column;font:14px system-ui,sans-serif;background:#fff;" +
    "border:1px solid #ccd;border-radius:10px;box-shadow:0 4px 18px rgba(0,0,0,.15)}" +
    ".socialcare-chat header{padding:10px 12px;background:#243b6b;color:#fff;" +
    "border-radius:10px 10px 0 0;font-weight:600}" +
    ".socialcare-log{list-style:none;margin:0;padding:10px;overflow-y:auto;flex:1}" +
    ".socialcare-log li{margin:6px 0;padding:8px 10px;border-radius:8px;white-space:pre-wrap}" +
    ".socialcare-log .customer{background:#e7efff;margin-left:40px}" +
    ".socialcare-log .agent{background:#f2f2f2;margin-right:40px}" +
    ".socialcare-log button{margin:4px 4px 0 0;padding:4px 8px;border:1px solid #243b6b;" +
    "background:#fff;color:#243b6b;border-radius:14px;cursor:pointer}" +
    ".socialcare-form{display:flex;border-top:1px solid #ccd}" +
    ".socialcare-form input{flex:1;border:0;padding:10px;font:inherit}" +
    ".socialcare-form button{border:0;background:#243b6b;color:#fff;padding:0 14px}";
  document.head.appendChild(style);
  document.body.appendChild(panel);
  var log = panel.querySelector(".socialcare-log");
  var form = panel.querySelector(".socialcare-form");

  function show(role, text, options) {
    var item = document.createElement("li");
    item.className = role;
    // Text stays text; only http(s) links become anchors.
    text.split(/(https?:\/\/[^\s]+)/).forEach(function (piece, i) {
      if (i % 2) {
        var link = document.createElement("a");
        link.href = piece;
        link.textContent = piece;
        link.target = "_blank";
        link.rel = "noopener";
        item.appendChild(link);
      } else {
        item.appendChild(document.createTextNode(piece));
      }
    });
    (options || []).forEach(function (option) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = option;
      button.onclick = function () { send(option, option); };
      item.appendChild(document.createElement("br"));
      item.appendChild(button);
    });
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function call(method, path, body) {
    var headers = { "Content-Type": "application/json" };
    if (session) headers.Authorization = "Bearer " + session.token;
    return fetch(api + path, {
      method: method,
      headers: headers,
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      if (response.status === 401) { session = null; }
      if (!response.ok) throw new Error(method + " " + path + ": " + response.status);
      var type = response.headers.get("Content-Type") || "";
      return type.indexOf("json") >= 0 ? response.json() : response.text();
    });
  }

  function ensureSession() {
    if (session && session.expires_at * 1000 > Date.now() + 5000) return Promise.resolve();
    return call("POST", "/webchat/session").then(function (issued) {
      session = issued;
      cursor = "";
      poll();
    });
  }

  function poll() {
    if (polling || !session) return;
    polling = true;
    call("GET", "/webchat/replies?wait=20&after=" + encodeURIComponent(cursor))
      .then(function (answer) {
        answer.replies.forEach(function (reply) {
          cursor = reply.cursor;
          show("agent", reply.text, reply.options);
        });
      })
      .catch(function () { return new Promise(function (r) { setTimeout(r, 2000); }); })
      .then(function () { polling = false; if (session) poll(); });
  }

  function send(text, payload) {
    show("customer", text);
    var id = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now());
    return ensureSession().then(function () {
      var body = { session_id: session.session_id, id: id, text: text };
      if (payload) body.payload = payload;
      return call("POST", "/webhooks/webchat", body);
    }).catch(function () { show("agent", "Sorry, the message did not go through. Please try again."); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var input = form.elements.text;
    var text = input.value.trim();
    if (text) { input.value = ""; send(text); }
  });
  ensureSession().then(function () { send("hi"); });
})();
