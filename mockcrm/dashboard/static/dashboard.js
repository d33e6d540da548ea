/* mockcrm dashboard: the pages that change or act, on top of the control plane (/__mockcrm/...). */
(function () {
  "use strict";
  var page = document.body.getAttribute("data-page");
  var $ = function (sel, root) { return (root || document).querySelector(sel); };

  function flash(text, bad) {
    var box = $("#flash");
    box.textContent = text;
    box.className = bad ? "bad" : "";
    box.hidden = false;
    clearTimeout(flash.timer);
    flash.timer = setTimeout(function () { box.hidden = true; }, 4000);
  }

  /* a control-plane call: JSON in and out; an error answer is shown and rejects */
  function control(method, path, body) {
    var opts = { method: method, headers: {}, credentials: "same-origin" };
    if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch("/__mockcrm" + path, opts).then(function (r) {
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: text.slice(0, 200) }; }
        if (!r.ok) { flash((data && data.error) || (r.status + " " + r.statusText), true); throw new Error(text); }
        return data;
      });
    });
  }

  function pretty(text) {
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
  }

  function cell(tr, value) {
    var td = document.createElement("td");
    td.textContent = value === null || value === undefined ? "" : String(value);
    tr.appendChild(td);
    return td;
  }

  function formData(form) {
    var out = {};
    new FormData(form).forEach(function (v, k) { out[k] = v; });
    return out;
  }

  /* ---------------------------------------------------------------- requests: the live journal */
  function requestsPage() {
    var body = $("#journal tbody"), last = 0, timer = null;
    function query() {
      var q = new URLSearchParams();
      new FormData($("#filters")).forEach(function (v, k) { if (v) q.set(k, v); });
      return q;
    }
    function row(e) {
      var tr = document.createElement("tr");
      tr.dataset.id = e.id;
      [e.id, e.time, e.method, e.action, e.transport, e.login, e.code, e.duration_ms, e.events.length || ""].forEach(function (v) { cell(tr, v); });
      if (String(e.code) !== "200") { tr.children[6].className = "bad"; }
      tr.addEventListener("click", function () { open(e.id, tr); });
      return tr;
    }
    function open(id, tr) {
      Array.prototype.forEach.call(body.children, function (x) { x.classList.remove("selected"); });
      tr.classList.add("selected");
      control("GET", "/requests/" + id).then(function (e) {
        $("#detail").hidden = false;
        $("#detail-title").textContent = "#" + e.id + " " + e.method + "?action=" + e.action + " as " + e.login;
        $("#detail-params").textContent = JSON.stringify(e.params, null, 2);
        $("#detail-status").textContent = "HTTP " + e.status + ", " + e.content_type + ", " + e.answer_size + " bytes, " + e.duration_ms + " ms";
        $("#detail-answer").textContent = pretty(e.answer);
        $("#detail-events").textContent = e.events.length ? JSON.stringify(e.events, null, 2) : "none";
      });
    }
    function poll(reset) {
      var q = query();
      if (reset) { last = 0; body.innerHTML = ""; }
      q.set("after", last);
      return control("GET", "/requests?" + q.toString()).then(function (data) {
        data.requests.forEach(function (e) { body.insertBefore(row(e), body.firstChild); last = Math.max(last, e.id); });
        $("#count").textContent = body.children.length + " shown";
        $("#empty-journal").hidden = body.children.length > 0;
      });
    }
    function schedule() {
      clearTimeout(timer);
      if ($("#live").checked) { timer = setTimeout(function () { poll(false).then(schedule, schedule); }, 1000); }
    }
    $("#filters").addEventListener("input", function () { poll(true).then(schedule); });
    $("#filters").addEventListener("submit", function (ev) { ev.preventDefault(); });
    $("#live").addEventListener("change", schedule);
    $("#clear-journal").addEventListener("click", function () {
      control("DELETE", "/requests").then(function () { $("#detail").hidden = true; return poll(true); });
    });
    poll(true).then(schedule);
  }

  /* ---------------------------------------------------------------- webhooks */
  function webhooksPage() {
    function hooks() {
      return control("GET", "/webhooks").then(function (data) {
        var list = $("#hook-list");
        list.innerHTML = "";
        if (!data.hooks.length) { list.innerHTML = "<li class=muted>No hooks.</li>"; }
        data.hooks.forEach(function (h) {
          var li = document.createElement("li");
          li.textContent = "#" + h.id + " " + h.event + " → " + h.url + " ";
          var rm = document.createElement("button");
          rm.type = "button"; rm.className = "link"; rm.textContent = "remove";
          rm.addEventListener("click", function () { control("DELETE", "/webhooks/" + h.id).then(hooks); });
          li.appendChild(rm);
          list.appendChild(li);
        });
      });
    }
    function deliveries() {
      return control("GET", "/webhooks/deliveries").then(function (data) {
        var body = $("#deliveries tbody");
        body.innerHTML = "";
        $("#delivery-count").textContent = data.count;
        data.deliveries.slice().reverse().forEach(function (d) {
          var tr = document.createElement("tr");
          tr.dataset.id = d.id;
          [d.id, d.datum, d.event, d.url, d.status === null ? (d.error || "failed") : d.status, d.duration_ms, d.attempt].forEach(function (v) { cell(tr, v); });
          tr.children[4].className = d.ok ? "good" : "bad";
          var td = cell(tr, ""), replay = document.createElement("button");
          replay.type = "button"; replay.className = "link replay"; replay.textContent = "replay";
          replay.addEventListener("click", function (ev) {
            ev.stopPropagation();
            control("POST", "/webhooks/deliveries/" + d.id + "/replay").then(function (x) {
              flash("replayed as #" + x.id + ": " + (x.status === null ? x.error : "HTTP " + x.status));
              return deliveries();
            });
          });
          td.appendChild(replay);
          tr.addEventListener("click", function () {
            $("#delivery-detail").hidden = false;
            $("#delivery-body").textContent = pretty(d.body);
            $("#delivery-response").textContent = d.response || d.error || "(empty)";
          });
          body.appendChild(tr);
        });
      });
    }
    $("#add-hook").addEventListener("submit", function (ev) {
      ev.preventDefault();
      control("POST", "/webhooks", formData(ev.target)).then(function () { ev.target.reset(); return hooks(); });
    });
    $("#trigger").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = formData(ev.target), payload;
      try { payload = f.payload ? JSON.parse(f.payload) : {}; } catch (e) { flash("the payload is not JSON", true); return; }
      control("POST", "/webhooks/trigger", { event: f.event, payload: payload }).then(function (x) {
        flash(x.event + " sent to " + x.hooks + " hook(s)");
        return control("POST", "/webhooks/drain").then(deliveries);
      });
    });
    $("#refresh-deliveries").addEventListener("click", deliveries);
    $("#clear-deliveries").addEventListener("click", function () { control("DELETE", "/webhooks/deliveries").then(deliveries); });
    hooks(); deliveries();
  }

  /* ---------------------------------------------------------------- controls */
  function controlsPage() {
    function clock(state) {
      $("#clock-now").textContent = state.now;
      $("#clock-frozen").textContent = state.frozen ? "(frozen)" : "(running)";
    }
    function snapshots() {
      return control("GET", "/snapshots").then(function (data) {
        var list = $("#snapshots");
        list.innerHTML = data.snapshots.length ? "" : "<li class=muted>None saved.</li>";
        data.snapshots.forEach(function (name) {
          var li = document.createElement("li");
          li.textContent = name + " ";
          [["restore", function () { return control("POST", "/snapshots/" + encodeURIComponent(name) + "/restore").then(function () { flash("restored " + name); }); }],
           ["delete", function () { return control("DELETE", "/snapshots/" + encodeURIComponent(name)).then(snapshots); }]].forEach(function (pair) {
            var b = document.createElement("button");
            b.type = "button"; b.className = "link"; b.textContent = pair[0]; b.dataset.snapshot = name;
            b.addEventListener("click", pair[1]);
            li.appendChild(b);
          });
          list.appendChild(li);
        });
      });
    }
    function faults() {
      return control("GET", "/faults").then(function (data) {
        var list = $("#faults");
        list.innerHTML = data.faults.length ? "" : "<li class=muted>None: every answer is the faithful one.</li>";
        data.faults.forEach(function (f) {
          var li = document.createElement("li");
          li.textContent = "#" + f.id + " " + f.kind + " on " + f.method + "?action=" + f.action + (f.count === null ? "" : " (" + f.count + " left)") + " ";
          var rm = document.createElement("button");
          rm.type = "button"; rm.className = "link"; rm.textContent = "remove";
          rm.addEventListener("click", function () { control("DELETE", "/faults/" + f.id).then(faults); });
          li.appendChild(rm);
          list.appendChild(li);
        });
      });
    }
    $("#reset").addEventListener("submit", function (ev) {
      ev.preventDefault();
      control("POST", "/reset", formData(ev.target)).then(function (x) { flash("reset to " + x.fixture); faults(); snapshots(); control("GET", "/clock").then(clock); });
    });
    $("#seed").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = formData(ev.target);
      control("POST", "/seed", { seed: parseInt(f.seed, 10), size: f.size }).then(function (x) {
        flash("seeded: " + Object.keys(x.counts).map(function (k) { return x.counts[k] + " " + k; }).join(", "));
      });
    });
    $("#freeze").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var at = formData(ev.target).at;
      control("POST", "/clock/freeze", at ? { at: at } : {}).then(clock);
    });
    $("#advance").addEventListener("submit", function (ev) {
      ev.preventDefault();
      control("POST", "/clock/advance", { seconds: parseFloat(formData(ev.target).seconds) }).then(clock);
    });
    $("#clock-real").addEventListener("click", function () { control("POST", "/clock/real").then(clock); });
    $("#save-snapshot").addEventListener("submit", function (ev) {
      ev.preventDefault();
      control("POST", "/snapshots", formData(ev.target)).then(function () { ev.target.reset(); return snapshots(); });
    });
    $("#add-fault").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = formData(ev.target), fault = { kind: f.kind };
      if (f.method) { fault.method = f.method; }
      if (f.action) { fault.action = f.action; }
      if (f.count) { fault.count = parseInt(f.count, 10); }
      if (f.kind === "error") { if (f.code) { fault.code = parseInt(f.code, 10); } if (f.text) { fault.text = f.text; } }
      if (f.kind === "latency") { fault.latency = parseFloat(f.latency || "1"); }
      control("POST", "/faults", fault).then(function () { ev.target.reset(); return faults(); });
    });
    control("GET", "/clock").then(clock); snapshots(); faults();
  }

  /* ---------------------------------------------------------------- console */
  function consolePage() {
    var catalog = JSON.parse($("#catalog").textContent);
    var methodSel = $("#method"), actionSel = $("#action");
    function options(sel, values) {
      sel.innerHTML = "";
      values.forEach(function (v) { var o = document.createElement("option"); o.textContent = v; sel.appendChild(o); });
    }
    function paramRow(name, type, description, required) {
      var row = document.createElement("label");
      row.className = "param";
      var title = document.createElement("span");
      title.textContent = name + (required ? " *" : "");
      if (required) { title.className = "req"; }
      var hint = document.createElement("small");
      hint.textContent = type + (description ? " · " + description : "");
      title.appendChild(hint);
      var input = document.createElement("input");
      input.name = name; input.dataset.type = type; input.setAttribute("aria-label", name);
      row.appendChild(title); row.appendChild(input);
      $("#params").appendChild(row);
    }
    function fillParams() {
      $("#params").innerHTML = "";
      (catalog.methods[methodSel.value][actionSel.value] || []).forEach(function (p) { paramRow(p.name, p.type, p.description, p.required); });
    }
    options(methodSel, Object.keys(catalog.methods));
    options($("#login"), catalog.logins);
    function fillActions() { options(actionSel, Object.keys(catalog.methods[methodSel.value])); fillParams(); }
    methodSel.addEventListener("change", fillActions);
    actionSel.addEventListener("change", fillParams);
    fillActions();
    $("#add-param").addEventListener("click", function () {
      var name = $("#extra-name").value.trim();
      if (name) { paramRow(name, "string", "", false); $("#extra-name").value = ""; }
    });
    function value(input) {
      var type = input.dataset.type, v = input.value;
      if (type === "object" || type === "array" || type === "integer" || type === "number" || type === "boolean") {
        try { return JSON.parse(v); } catch (e) { return v; }
      }
      return v;
    }
    /* PHP's bracket names for a query or form: filter[type]=client, phone[0]=... */
    function flatten(prefix, v, out) {
      if (v !== null && typeof v === "object") {
        Object.keys(v).forEach(function (k) { flatten(prefix + "[" + k + "]", v[k], out); });
      } else {
        out.append(prefix, v === null ? "" : String(v));
      }
    }
    $("#console").addEventListener("submit", function (ev) {
      ev.preventDefault();
      var method = methodSel.value, action = actionSel.value, login = $("#login").value, transport = $("#transport").value;
      var params = {};
      Array.prototype.forEach.call($("#params").querySelectorAll("input"), function (input) {
        if (input.value !== "") { params[input.name] = value(input); }
      });
      var url = "/developer/v2/" + method, opts = { method: "POST", headers: {} }, shown;
      if (transport === "get" || transport === "form") {
        var q = new URLSearchParams();
        q.append("action", action); q.append("login", login); q.append("apikey", catalog.apikey);
        Object.keys(params).forEach(function (k) { flatten(k, params[k], q); });
        if (transport === "get") {
          url += "?" + q.toString(); opts.method = "GET";
          shown = "GET " + url;
        } else {
          opts.headers["Content-Type"] = "application/x-www-form-urlencoded"; opts.body = q.toString();
          shown = "POST " + url + "\nContent-Type: application/x-www-form-urlencoded\n\n" + opts.body;
        }
      } else {
        var body = { action: action };
        Object.keys(params).forEach(function (k) { body[k] = params[k]; });
        opts.headers["Content-Type"] = "application/json";
        if (transport === "json-headers") { opts.headers.login = login; opts.headers.apikey = catalog.apikey; }
        else { body.login = login; body.apikey = catalog.apikey; }
        opts.body = JSON.stringify(body);
        shown = "POST " + url + "\n" + Object.keys(opts.headers).map(function (h) { return h + ": " + opts.headers[h]; }).join("\n") + "\n\n" + JSON.stringify(body, null, 2);
      }
      $("#request").textContent = shown;
      $("#answer").textContent = "…";
      fetch(url, opts).then(function (r) {
        return r.text().then(function (text) {
          $("#answer-status").textContent = "HTTP " + r.status + ", " + r.headers.get("Content-Type");
          $("#answer").textContent = pretty(text);
        });
      }, function (err) { $("#answer").textContent = String(err); });
    });
  }

  var pages = { requests: requestsPage, webhooks: webhooksPage, controls: controlsPage, console: consolePage };
  if (pages[page]) { pages[page](); }
})();
