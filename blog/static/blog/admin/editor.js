/* The essay editor around markdownx: image uploads with messages, and the preview pane
   scrolling with the text.

   markdownx's own upload code treats every HTTP status as success and writes "Invalid
   response" into the essay when a file is refused. Files dropped, pasted or picked are
   caught here first (capture phase, before markdownx's listeners on the textarea) and
   uploaded by this script: text goes into the essay only when the server accepted the
   image; a refusal is shown next to the editor. */
"use strict";

(function () {
  const GENERIC = {
    403: "You are signed out or may not change essays: sign in again in another tab.",
    413: "The image is too large.",
  };

  function size(bytes) {
    const [amount, unit] = bytes >= 1048576 ? [bytes / 1048576, "MB"] : [bytes / 1024, "KB"];
    return `${Math.round(amount * 10) / 10} ${unit}`;
  }

  function csrfToken(element) {
    const input = element.form && element.form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setUp(wrapper) {
    const editor = wrapper.querySelector(".markdownx-editor");
    const preview = wrapper.querySelector(".markdownx-preview");
    const message = wrapper.querySelector(".essay-editor-message");
    const button = wrapper.querySelector(".essay-editor-add-image");
    const picker = wrapper.querySelector(".essay-editor-file");
    const uploadUrl = editor.getAttribute("data-markdownx-upload-urls-path");
    const maxBytes = Number(editor.getAttribute("data-upload-max-bytes")) || Infinity;
    let uploading = 0;

    function say(text, isError) {
      message.textContent = text;
      message.classList.toggle("is-error", Boolean(isError));
    }

    function insert(text) {
      let start = editor.selectionStart;
      let end = editor.selectionEnd;
      // Still in the empty description of an image just added: the next goes after it.
      const rest = editor.value.slice(end);
      if (start === end && editor.value.slice(0, start).endsWith("![") && rest.startsWith("](")) {
        start = end = end + rest.indexOf(")") + 1;
      }
      editor.setRangeText(text, start, end, "end");
      // The cursor goes between the brackets, where the image's description belongs.
      const alt = text.indexOf("[]");
      if (alt >= 0) editor.setSelectionRange(start + alt + 1, start + alt + 1);
      editor.focus();
      // markdownx refreshes the preview on "input"; the unsaved-changes guard sees it too.
      editor.dispatchEvent(new Event("input", { bubbles: true }));
    }

    async function send(file) {
      const body = new FormData();
      body.append("image", file);
      try {
        const response = await fetch(uploadUrl, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          redirect: "error",
          headers: {
            Accept: "application/json",
            "X-CSRFToken": csrfToken(editor),
            "X-Requested-With": "XMLHttpRequest",
          },
        });
        const data = await response.json().catch(() => null);
        if (response.ok && data && typeof data.image_code === "string") {
          return { code: data.image_code };
        }
        const reasons = data && Array.isArray(data.image) ? data.image.join(" ") : "";
        return { error: reasons || GENERIC[response.status] || `The server answered ${response.status}.` };
      } catch (error) {
        return { error: "The upload failed: check the connection and try again." };
      }
    }

    async function upload(file) {
      const name = file.name || "The image";
      if (file.size > maxBytes) {
        say(`“${name}” was not added: it is larger than ${size(maxBytes)}.`, true);
        return;
      }
      uploading += 1;
      wrapper.setAttribute("aria-busy", "true");
      say(`Uploading “${name}”…`);
      const result = await send(file);
      uploading -= 1;
      if (uploading === 0) wrapper.removeAttribute("aria-busy");
      if (result.code) {
        insert(result.code);
        say(`Added “${name}”: describe it between the brackets.`);
      } else {
        say(`“${name}” was not added: ${result.error}`, true);
      }
    }

    function takeFiles(event, files) {
      if (!files || files.length === 0) return;
      event.preventDefault();
      event.stopPropagation(); // markdownx's own upload never runs
      Array.from(files).forEach(upload);
    }

    wrapper.addEventListener("paste", (event) => takeFiles(event, event.clipboardData && event.clipboardData.files), true);
    wrapper.addEventListener("drop", (event) => takeFiles(event, event.dataTransfer && event.dataTransfer.files), true);

    button.hidden = false;
    button.addEventListener("click", () => picker.click());
    picker.addEventListener("change", () => {
      Array.from(picker.files).forEach(upload);
      picker.value = "";
    });

    // The preview follows the text: the same share of each is scrolled past.
    function follow() {
      const range = editor.scrollHeight - editor.clientHeight;
      const share = range > 0 ? editor.scrollTop / range : 0;
      preview.scrollTop = share * (preview.scrollHeight - preview.clientHeight);
    }
    editor.addEventListener("scroll", follow, { passive: true });
    wrapper.addEventListener("markdownx.update", follow);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".essay-editor").forEach(setUp);
  });
})();
