/* socialcare web chat widget: one script tag on the brand's page.
 *
 *   <script src="widget.js" data-api="https://API-ID.execute-api.REGION.amazonaws.com"
 *           data-title="Brand help"></script>
 *
 * data-api is the stack's ApiUrl (empty: the page's own origin, as on the local stack);
 * data-title the panel's header (the stack's WidgetTitle parameter, "Help" when absent). The
 * widget opens a session (POST /webchat/session), sends each message to /webhooks/webchat with
 * the session's bearer token, and polls /webchat/replies for the answers: held polls (up to
 * 10 s each) for two minutes after the customer writes, then single looks with a gap that
 * doubles up to a minute, and none at all after 30 quiet minutes until the customer writes or
 * comes back to the tab. An open tab left alone costs nothing after that.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var api = ((script && script.getAttribute("data-api")) || "").replace(/\/$/, "");
  var session = null;
  var cursor = "";
  var polling = false;
  var title = (script && script.getAttribute("data-title")) || "Help";
  var ACTIVE_MS = 2 * 60 * 1000;
  var STOP_AFTER_MS = 30 * 60 * 1000;
  var FIRST_GAP_MS = 1000;
  var MAX_GAP_MS = 60 * 1000;
  var lastActivity = Date.now();
  var gap = FIRST_GAP_MS;
  var timer = null;

  var panel = document.createElement("section");
  panel.className = "socialcare-chat";
  panel.setAttribute("aria-label", "Customer care chat");
  panel.innerHTML =
    '<header></header>' +
    '<ol class="socialcare-log" aria-live="polite"></ol>' +
    '<form class="socialcare-form"><input name="text" autocomplete="off" maxlength="2000" ' +
    'placeholder="Ask about orders, delivery, returns ..." aria-label="Your message">' +
    '<button type="submit">Send</button></form>';
  panel.querySelector("header").textContent = title;
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
    var quiet = Date.now() - lastActivity;
    if (quiet > STOP_AFTER_MS) return; // stopped until wake()
    var held = quiet < ACTIVE_MS;
    var next = FIRST_GAP_MS;
    polling = true;
    call("GET", "/webchat/replies?wait=" + (held ? 10 : 0) + "&after=" + encodeURIComponent(cursor))
      .then(function (answer) {
        answer.replies.forEach(function (reply) {
          cursor = reply.cursor;
          show("agent", reply.text, reply.options);
        });
        if (answer.replies.length) { gap = FIRST_GAP_MS; next = 0; }
        else if (held) next = 0;
        else { next = gap; gap = Math.min(gap * 2, MAX_GAP_MS); }
      })
      .catch(function () { next = gap; gap = Math.min(gap * 2, MAX_GAP_MS); })
      .then(function () { polling = false; schedule(next); });
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }

  function wake() {
    lastActivity = Date.now();
    gap = FIRST_GAP_MS;
    if (!polling) schedule(0);
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && Date.now() - lastActivity > STOP_AFTER_MS) wake();
  });

  function send(text, payload) {
    show("customer", text);
    var id = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now());
    return ensureSession().then(function () {
      var body = { session_id: session.session_id, id: id, text: text };
      if (payload) body.payload = payload;
      wake();
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
