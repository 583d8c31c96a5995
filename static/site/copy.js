// 复制 buttons: [data-copy] names the element whose text (or, with data-copy-html, whose HTML as
// rich text) goes to the clipboard; the status next to it says what happened.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]")
  if (!button) return
  const source = document.querySelector(button.dataset.copy)
  const status = button.parentElement.querySelector(".copy-status")
  const say = (text) => { if (status) status.textContent = text }
  if (!source) return
  try {
    if ("copyHtml" in button.dataset) {
      const html = source.innerHTML
      await navigator.clipboard.write([new ClipboardItem({
        "text/html": new Blob([html], { type: "text/html" }),
        "text/plain": new Blob([source.innerText], { type: "text/plain" }),
      })])
    } else {
      await navigator.clipboard.writeText(source.textContent.trim())
    }
    say("已复制。")
  } catch {
    // No clipboard (an http:// intranet address): select the text for Ctrl+C instead.
    const range = document.createRange()
    range.selectNodeContents(source)
    const selection = getSelection()
    selection.removeAllRanges()
    selection.addRange(range)
    say("浏览器不允许直接复制：已选中，请按 Ctrl+C。")
  }
})
