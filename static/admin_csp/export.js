// The "Select all" toggle of the admin's export form, bound here instead of an inline handler.
document.addEventListener("DOMContentLoaded", () => {
  for (const toggle of document.querySelectorAll("input.select-toggle")) {
    toggle.addEventListener("change", (event) => onSelectToggleChange(event));
  }
});
