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
});

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
