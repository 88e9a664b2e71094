// Small enhancements for pages that already work without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // A sort menu applies itself as soon as it changes.
  for (const select of document.querySelectorAll("select.auto-submit")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
});
