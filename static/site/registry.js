// The registry's filter panel (and the search page's facets): collapsed on a phone (its summary says how many filters are on),
// empty fields left out of the URL, and the results focused after a search.
// The same for the search page's facets.
if (matchMedia("(max-width: 47.99rem)").matches) {
  for (const panel of document.querySelectorAll(".filters-panel, .search-facets-panel")) {
    panel.open = false
  }
}

const form = document.querySelector("form.filters")
if (form) {
  form.addEventListener("submit", () => {
    for (const field of form.elements) {
      if (field.name && field.value === "") field.disabled = true
    }
  })
  // Back to this page from the next one: the fields must be usable again.
  addEventListener("pageshow", () => {
    for (const field of form.elements) field.disabled = false
  })
}

if (location.hash === "#results-title") {
  document.getElementById("results-title")?.focus()
}
