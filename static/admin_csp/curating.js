// The admin's date fields: a date has no time of day, so Django's note that times are entered
// in the server's time zone means nothing beside one. Fields of a date and a time keep it.
"use strict";
{
    const shortcuts = window.DateTimeShortcuts;
    if (shortcuts) {
        const addWarning = shortcuts.addTimezoneWarning;
        shortcuts.addTimezoneWarning = function (input) {
            if (input.classList.contains("vDateField") && !input.closest("p.datetime")) {
                return;
            }
            addWarning.call(this, input);
        };
    }
}
