// Small enhancements for pages that already work without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // A sort or kind menu applies itself as soon as it changes.
  for (const select of document.querySelectorAll("select.auto-submit")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }

  // A search or filter form leaves its empty fields out of the address it opens
  // (the server reads a missing field as an empty one).
  for (const form of document.querySelectorAll("form")) {
    if (form.method !== "get") continue;
    form.addEventListener("formdata", (event) => {
      const entries = [...event.formData.entries()];
      for (const [name] of entries) event.formData.delete(name);
      for (const [name, value] of entries) {
        if (value !== "") event.formData.append(name, value);
      }
    });
  }

  // A box shows its longer placeholder only where the whole of it fits; else the short one.
  for (const input of document.querySelectorAll("[data-wide-placeholder]")) {
    const short = input.placeholder;
    const wide = input.dataset.widePlaceholder;
    const choose = () => {
      input.placeholder = fits(input, wide) ? wide : short;
    };
    choose();
    window.addEventListener("resize", choose);
  }

  // A table wider than its box says that it scrolls sideways, while it does.
  for (const box of document.querySelectorAll(".table-scroll")) {
    const hint = document.createElement("p");
    hint.className = "scroll-hint no-print";
    hint.textContent = box.dataset.scrollHint || "The table scrolls sideways: swipe or scroll it to see the rest.";
    hint.hidden = true;
    box.before(hint);
    const update = () => {
      hint.hidden = box.scrollWidth <= box.clientWidth + 1;
    };
    update();
    window.addEventListener("resize", update);
  }
});

// Whether `text` fits in the input's box, in the input's font.
function fits(input, text) {
  const style = getComputedStyle(input);
  const context = document.createElement("canvas").getContext("2d");
  context.font = style.font;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return context.measureText(text).width <= room;
}

// "/" puts the cursor in the search box, unless the reader is typing in a field already.
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) {
    return;
  }
  const target = event.target;
  if (target instanceof Element && target.closest("input, textarea, select, [contenteditable]")) {
    return;
  }
  const box = document.getElementById("site-search-q");
  if (!box) return;
  event.preventDefault();
  box.focus();
  box.select();
});
