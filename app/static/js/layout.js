// Layout behaviour shared by every page: the collapsible navigation on narrow screens.
const toggle = document.querySelector("[data-nav-toggle]");
const nav = document.getElementById("sidenav");
if (toggle && nav) {
  toggle.addEventListener("click", () => {
    const open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  });
  toggle.dataset.ready = "true"; // a module runs after the page shows: a click before this did nothing
}
