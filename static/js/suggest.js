// Suggestions as you type in the header's search box: the WAI-ARIA combobox pattern (list
// autocomplete). Without this script the box is a plain search form.
(() => {
  const input = document.getElementById("site-search-q");
  if (!input || !window.fetch) return;
  const form = input.form;
  const endpoint = form.dataset.suggest;
  const list = document.createElement("ul");
  const status = document.createElement("p");
  let options = [];
  let active = -1;
  let timer = null;
  let latest = 0;

  list.id = "site-search-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  form.classList.add("has-suggestions");
  form.append(list, status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("autocomplete", "off");

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(suggestions) {
    list.replaceChildren();
    options = suggestions.map((suggestion, i) => {
      const option = document.createElement("li");
      option.id = `site-search-option-${i}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.url = suggestion.url;
      const title = document.createElement("span");
      title.textContent = suggestion.title; // text, never HTML
      const kind = document.createElement("span");
      kind.className = "suggestion-kind";
      kind.textContent = suggestion.kind;
      option.append(title, " ", kind);
      option.addEventListener("mousedown", (event) => {
        event.preventDefault(); // keep focus in the box
        window.location.assign(suggestion.url);
      });
      return option;
    });
    list.append(...options);
    const count = options.length;
    status.textContent = count ? `${count} suggestion${count === 1 ? "" : "s"}; use the arrow keys to choose.` : "No suggestions.";
    list.hidden = count === 0;
    input.setAttribute("aria-expanded", String(count > 0));
    active = -1;
  }

  async function lookUp() {
    const query = input.value.trim();
    const ticket = ++latest;
    if (query.length < 2) {
      close();
      return;
    }
    try {
      const response = await fetch(`${endpoint}?q=${encodeURIComponent(query)}`, { headers: { Accept: "application/json" } });
      if (!response.ok || ticket !== latest) return;
      const data = await response.json();
      if (ticket === latest) show(data.suggestions);
    } catch {
      close(); // the plain form still works
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 120);
  });
  input.addEventListener("keydown", (event) => {
    const open = !list.hidden && options.length > 0;
    if (event.key === "ArrowDown") {
      if (!open) return;
      event.preventDefault();
      highlight((active + 1) % options.length);
    } else if (event.key === "ArrowUp") {
      if (!open) return;
      event.preventDefault();
      highlight(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === "Enter") {
      if (open && active >= 0) {
        event.preventDefault();
        window.location.assign(options[active].dataset.url);
      }
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        close();
      } else {
        input.value = "";
      }
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
})();
