/* A shared draft: a "Note" button after each paragraph that picks it in the notes form
   and takes the reader there. Without this script the form works the same (a paragraph
   selector). Paragraph n is the n-th child of .essay-body, as blog/sharing.py counts. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const body = document.querySelector(".essay-body");
  const select = document.getElementById("id_paragraph");
  const text = document.getElementById("id_text");
  if (!body || !select || !text) return;
  const offered = new Set(Array.from(select.options, (option) => option.value));
  Array.from(body.children).forEach((block, index) => {
    if (!offered.has(String(index))) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "note-here";
    button.textContent = "Note";
    button.setAttribute("aria-label", `Leave a note on paragraph ${index + 1}`);
    button.addEventListener("click", () => {
      document.querySelectorAll(".is-noted").forEach((noted) => noted.classList.remove("is-noted"));
      block.classList.add("is-noted");
      select.value = String(index);
      text.focus();
      text.scrollIntoView({ block: "center" });
    });
    block.after(button);
  });
});
