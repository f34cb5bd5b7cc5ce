// Behaviour shared by every page. No inline scripts: the Content-Security-Policy forbids them.
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
  // Stacked tables (phones): each cell is labelled with its column's header.
  document.querySelectorAll("table.table-stack").forEach((table) => {
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
  // A form with errors: focus the summary at the top; its links move to each field.
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});
