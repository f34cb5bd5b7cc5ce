// Behaviour shared by every page, bundled by esbuild (`make install`) into one small script with the only
// Bootstrap components the pages use: the navbar's collapse (phones) and its dropdown menus.
// No inline scripts: the Content-Security-Policy forbids them.
import "bootstrap/js/src/collapse.js";
import "bootstrap/js/src/dropdown.js";

document.addEventListener("DOMContentLoaded", () => {
  // The language switcher submits on change; its button stays for browsers without JavaScript.
  const select = document.getElementById("language-select");
  if (select) {
    select.addEventListener("change", () => select.form.submit());
  }
  // Print buttons on slips, agendas and minutes.
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
  // Stacked tables (phones): each cell is labelled with its column's header. The long lists (issues,
  // projects) write their labels in the template (data-labelled): no second style and layout pass of
  // every row after the first paint, and no shift of the cards as their labels appear.
  document.querySelectorAll("table.table-stack:not([data-labelled])").forEach((table) => {
    const headers = Array.from(table.querySelectorAll("thead th"), (th) => th.textContent.trim());
    table.querySelectorAll("tbody tr").forEach((row) => {
      Array.from(row.cells).forEach((cell, index) => {
        if (!cell.hasAttribute("colspan") && headers[index] && !cell.dataset.label) {
          cell.dataset.label = headers[index];
        }
      });
    });
  });
  // A light's reasons are folded on a phone (tap to open) and open on a wider screen.
  if (window.matchMedia("(min-width: 768px)").matches) {
    document.querySelectorAll("details.light-details").forEach((details) => {
      details.open = true;
    });
  }
  showErrorSummary();
});

// A form that came back with errors (Django marks the fields aria-invalid): a summary at the top of the
// page links to each field, and the first one takes the focus, so a phone user sees what to fix.
function showErrorSummary() {
  const main = document.querySelector("main");
  const fields = Array.from(document.querySelectorAll('main [aria-invalid="true"]'));
  if (!main || fields.length === 0) {
    return;
  }
  const summary = document.createElement("div");
  summary.className = "alert alert-danger error-summary";
  summary.setAttribute("role", "alert");
  const heading = document.createElement("p");
  heading.className = "fw-bold mb-1";
  heading.textContent = main.dataset.errorSummary;
  const list = document.createElement("ul");
  list.className = "mb-0";
  const reveal = (field) => {
    const details = field.closest("details");
    if (details) {
      details.open = true;
    }
    field.focus();
  };
  fields.forEach((field) => {
    const label = document.querySelector(`label[for="${field.id}"]`);
    const box = field.closest(".mb-3, .round-row, .formset-row") || field.parentElement;
    const error = box.querySelector(".invalid-feedback");
    const link = document.createElement("a");
    link.href = `#${field.id}`;
    link.className = "alert-link";
    link.textContent = [label && label.textContent.replace("*", "").trim(), error && error.textContent.trim()]
      .filter(Boolean).join(": ");
    link.addEventListener("click", (event) => {
      event.preventDefault();
      reveal(field);
    });
    const item = document.createElement("li");
    item.append(link);
    list.append(item);
  });
  summary.append(heading, list);
  main.prepend(summary);
  reveal(fields[0]);
}
