/* Autosave for the essay form (blog/autosave.py; the panel is drafts.html).

   - A copy of the form's fields goes to local storage as the writer types, and to the
     server a few seconds after she pauses and when the page is hidden, in the background:
     nothing on the page moves. The status line says when the server last kept it.
   - Opening the form: the newer of the server's copy and this browser's copy, if it
     differs from the form, is offered back with what differs; restore or discard is one
     click. A save after the session ended goes to the login page and loses the request,
     but not the text: the browser's copy is offered back after signing in.
   - A real save clears both: the server's at once, the browser's on the next form page
     (the server hands over the ids of copies whose page saved). */
"use strict";

(function () {
  const PAUSE = 3000; // ms after the last keystroke before the server gets the text
  const LOCAL_PAUSE = 400;
  const FIELDS = ["title", "slug", "date", "external_link", "body"];
  const LABELS = { title: "Title", slug: "Slug", date: "Date", external_link: "External link", body: "Body" };
  const MAX_DIFF_LINES = 400;

  function twoDigits(number) {
    return String(number).padStart(2, "0");
  }

  function clock(iso) {
    const date = new Date(iso);
    return `${twoDigits(date.getHours())}:${twoDigits(date.getMinutes())}`;
  }

  /* A line diff of a and b: [kind, line] with kind "same", "del" or "add". Common head
     and tail are cut first; the middle is compared line by line (LCS) while small. */
  function lineDiff(a, b) {
    const x = a.split("\n");
    const y = b.split("\n");
    let start = 0;
    while (start < x.length && start < y.length && x[start] === y[start]) start += 1;
    let endX = x.length;
    let endY = y.length;
    while (endX > start && endY > start && x[endX - 1] === y[endY - 1]) {
      endX -= 1;
      endY -= 1;
    }
    const before = x.slice(Math.max(0, start - 2), start).map((line) => ["same", line]);
    const after = x.slice(endX, endX + 2).map((line) => ["same", line]);
    const midX = x.slice(start, endX);
    const midY = y.slice(start, endY);
    const n = midX.length;
    const m = midY.length;
    if (n * m > 250000) {
      return [...before, ...midX.map((l) => ["del", l]), ...midY.map((l) => ["add", l]), ...after];
    }
    const width = m + 1;
    const common = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i -= 1) {
      for (let j = m - 1; j >= 0; j -= 1) {
        common[i * width + j] =
          midX[i] === midY[j]
            ? common[(i + 1) * width + j + 1] + 1
            : Math.max(common[(i + 1) * width + j], common[i * width + j + 1]);
      }
    }
    const ops = [];
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (midX[i] === midY[j]) {
        ops.push(["same", midX[i]]);
        i += 1;
        j += 1;
      } else if (common[(i + 1) * width + j] >= common[i * width + j + 1]) {
        ops.push(["del", midX[i]]);
        i += 1;
      } else {
        ops.push(["add", midY[j]]);
        j += 1;
      }
    }
    for (; i < n; i += 1) ops.push(["del", midX[i]]);
    for (; j < m; j += 1) ops.push(["add", midY[j]]);
    return [...before, ...ops, ...after];
  }

  function diffBlock(label, saved, unsaved) {
    const wrapper = document.createElement("div");
    const heading = document.createElement("h3");
    heading.textContent = label;
    const pre = document.createElement("pre");
    pre.className = "essay-diff";
    const marks = { same: "  ", del: "− ", add: "+ " };
    const lines = lineDiff(saved, unsaved);
    lines.slice(0, MAX_DIFF_LINES).forEach(([kind, line]) => {
      const span = document.createElement("span");
      span.className = `diff-${kind}`;
      span.textContent = `${marks[kind]}${line}\n`;
      pre.append(span);
    });
    if (lines.length > MAX_DIFF_LINES) pre.append("… (more differences not shown)\n");
    wrapper.append(heading, pre);
    return wrapper;
  }

  function setUp(panel, form) {
    const status = panel.querySelector(".essay-drafts-status");
    const offer = panel.querySelector(".essay-restore");
    const url = panel.dataset.url;
    const key = panel.dataset.key;
    const copyId = panel.dataset.copyId;
    const version = panel.dataset.version;
    const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    const serverCopy = JSON.parse(document.getElementById("essay-server-autosave").textContent);

    function say(text, isError) {
      status.textContent = text;
      status.classList.toggle("is-error", Boolean(isError));
    }

    function values() {
      const result = {};
      for (const name of FIELDS) {
        const field = form.elements[name];
        if (field) result[name] = field.value.replace(/\r\n/g, "\n");
      }
      return result;
    }

    function differs(fields, from) {
      return Object.keys(from).some((name) => name in fields && fields[name] !== from[name]);
    }

    function readLocal() {
      try {
        return JSON.parse(localStorage.getItem(key));
      } catch (error) {
        return null;
      }
    }

    function writeLocal() {
      try {
        const copy = { id: copyId, fields: values(), saved: new Date().toISOString(), version };
        localStorage.setItem(key, JSON.stringify(copy));
      } catch (error) {
        // Storage full or refused: the server's copy still works.
      }
    }

    // Copies whose page saved its essay are done with (a new essay's too, kept under
    // the "new" key until it was saved).
    const saved = JSON.parse(panel.dataset.savedCopies || "[]");
    try {
      for (const name of Object.keys(localStorage)) {
        if (!name.startsWith("essay-draft:")) continue;
        const copy = JSON.parse(localStorage.getItem(name));
        if (!copy || !copy.fields || saved.includes(copy.id)) localStorage.removeItem(name);
      }
    } catch (error) {
      // Unreadable storage: nothing to clear.
    }
    const localCopy = readLocal();

    // The newest copy that differs from the form as opened is offered back (not after a
    // refused save: the form shows the text just sent).
    const shown = values();
    const refused = document.querySelector(".errornote") !== null;
    const candidates = [
      localCopy && { ...localCopy, source: "kept in this browser" },
      serverCopy && { ...serverCopy, source: "autosaved on the server" },
    ].filter((copy) => copy && !refused && differs(copy.fields, shown));
    candidates.sort((a, b) => (a.saved < b.saved ? 1 : -1));
    const newest = candidates[0];

    function discardAll() {
      localStorage.removeItem(key);
      fetch(url, {
        method: "DELETE",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": csrf, "X-Requested-With": "XMLHttpRequest" },
      }).catch(() => {});
    }

    if (newest) {
      const when = new Date(newest.saved);
      offer.querySelector(".essay-restore-source").textContent =
        `Text from ${when.toLocaleString()} (${newest.source}) differs from the saved essay:`;
      const diff = offer.querySelector(".essay-restore-diff");
      for (const name of FIELDS) {
        if (name in newest.fields && name in shown && newest.fields[name] !== shown[name]) {
          diff.append(diffBlock(LABELS[name], shown[name], newest.fields[name]));
        }
      }
      offer.hidden = false;
      offer.querySelector(".essay-restore-apply").addEventListener("click", () => {
        for (const [name, value] of Object.entries(newest.fields)) {
          if (form.elements[name]) form.elements[name].value = value;
        }
        // markdownx refreshes the preview on "input"; autosave counts it as typing.
        const body = form.elements.body;
        if (body) body.dispatchEvent(new Event("input", { bubbles: true }));
        offer.hidden = true;
        say(`Restored the text from ${clock(newest.saved)}: save to keep it.`);
      });
      offer.querySelector(".essay-restore-discard").addEventListener("click", () => {
        discardAll();
        offer.hidden = true;
        say("Discarded the unsaved text.");
      });
    }

    let sent = JSON.stringify(shown);
    let serverTimer = null;
    let localTimer = null;
    let submitting = false;

    async function send() {
      clearTimeout(serverTimer);
      const fields = values();
      const text = JSON.stringify(fields);
      if (submitting || text === sent) return;
      const body = new URLSearchParams({ ...fields, based_on: version });
      try {
        const response = await fetch(url, {
          method: "POST",
          body,
          credentials: "same-origin",
          redirect: "manual", // signed out: the admin answers with its login page
          keepalive: body.toString().length < 60000, // may outlive the page
          headers: {
            Accept: "application/json",
            "X-CSRFToken": csrf,
            "X-Requested-With": "XMLHttpRequest",
          },
        });
        if (response.type === "opaqueredirect") {
          say("Your session has ended: your text is kept in this browser. Sign in again (in another tab) to save it.", true);
          return;
        }
        const data = await response.json().catch(() => null);
        if (response.ok && data) {
          sent = text;
          say(`Saved at ${clock(data.saved)}`);
        } else {
          const reason = (data && data.error) || `the server answered ${response.status}`;
          say(`Not autosaved: ${reason} Your text is kept in this browser.`, true);
        }
      } catch (error) {
        say("Not autosaved: no connection. Your text is kept in this browser.", true);
      }
    }

    function typed() {
      clearTimeout(localTimer);
      localTimer = setTimeout(writeLocal, LOCAL_PAUSE);
      clearTimeout(serverTimer);
      serverTimer = setTimeout(send, PAUSE);
    }

    form.addEventListener("input", typed);
    form.addEventListener("change", typed);
    form.addEventListener("submit", () => {
      // The save may end at the login page: the browser's copy brings the text back.
      writeLocal();
      submitting = true;
      clearTimeout(serverTimer);
      clearTimeout(localTimer);
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState !== "hidden" || submitting) return;
      if (localTimer !== null) writeLocal();
      send();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const panel = document.querySelector(".essay-drafts");
    const form = panel && panel.closest("form");
    if (form) setUp(panel, form);
  });
})();
