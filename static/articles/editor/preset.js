// The article body's editor: django-prose-editor's "configurable" preset with what our editors
// need on top — Chinese menu labels (zh.js does the dialogs), links that end where they end,
// a paragraph after a final table, an image button that stores attachments, and a clean paste
// that re-joins lines cut by a PDF conversion (on the server: sources/lines.py).
import * as E from "django-prose-editor/editor"

const { crel, Extension, Plugin, canInsertNode } = E
const MARKER = "data-django-prose-editor-zhijiao"

// Menu items by the name django-prose-editor defines them with.
const LABELS = {
  heading2: "二级标题",
  heading3: "三级标题",
  heading4: "四级标题",
  paragraph: "正文段落",
  bulletList: "项目符号列表",
  orderedList: "编号列表",
  orderedListProperties: "列表设置",
  blockquote: "引用",
  horizontalRule: "分隔线",
  figure: "插入图片",
  bold: "加粗",
  italic: "倾斜",
  underline: "下划线",
  strike: "删除线",
  subscript: "下标",
  superscript: "上标",
  link: "插入链接（先选中文字）",
  unlink: "取消链接",
  table: "插入表格",
  "table:addColumnAfter": "在右侧插入列",
  "table:deleteColumn": "删除列",
  "table:addRowAfter": "在下方插入行",
  "table:deleteRow": "删除行",
  "table:mergeCells": "合并单元格",
  "table:splitCell": "拆分单元格",
  "table:toggleHeaderCell": "设为/取消表头",
  "table:deleteTable": "删除表格",
  "history:undo": "撤销",
  "history:redo": "重做",
  html: "编辑 HTML 源码",
  fullscreen: "全屏",
}
const ALL_GROUPS =
  "blockType lists nodes headings marks nodeClass textClass link textAlign table history utility"

function relabel(menu) {
  for (const item of menu.items(ALL_GROUPS)) {
    const label = LABELS[item.name]
    if (!label) continue
    if (item.button) {
      item.button.title = label
      item.button.setAttribute("aria-label", label)
    }
    if (item.option) item.option.textContent = label
  }
}

const menuCreator = (groups) => {
  const create = E.createMenuFromGroups(groups)
  return ({ editor, buttons, menu }) => {
    relabel(menu)
    return create({ editor, buttons, menu })
  }
}

// Where no block type applies (a caption, a cell) the dropdown shows a fresh copy of its
// "question_mark" icon, named in English: named again after every transaction.
function nameUnknownBlockType(editor) {
  const selector = ".prose-menubar__selected button[aria-label=question_mark]"
  const rename = () => {
    for (const b of editor.view.dom.parentElement.querySelectorAll(selector)) {
      b.setAttribute("aria-label", "其他格式")
      b.title = "其他格式"
    }
  }
  // After the menu's own listeners, which the menu adds when the editor is created.
  editor.on("create", () => {
    editor.on("transaction", rename)
    rename()
  })
}

// Typing right after a link must not extend it (over the next 。 and beyond); the dialog's
// empty title field leaves no title="".
const Link = E.Link.extend({
  inclusive() {
    return false
  },
  addAttributes() {
    return {
      ...this.parent?.(),
      title: {
        default: null,
        renderHTML: ({ title }) => (title ? { title } : {}),
      },
    }
  },
})

const csrfToken = () => document.querySelector("input[name=csrfmiddlewaretoken]")?.value || ""

async function askJSON(url, options = {}) {
  let response
  try {
    response = await fetch(url, {
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      ...options,
    })
  } catch {
    throw new Error("连接服务器失败，请检查网络后重试。")
  }
  let data = null
  try {
    data = await response.json()
  } catch {
    // an HTML error page: the message below
  }
  if (!response.ok || !data) {
    throw new Error(data?.error || `服务器未能处理（${response.status}），请稍后重试。`)
  }
  return data
}

function imageDialog(editor, imagesUrl) {
  return new Promise((resolve) => {
    const id = `zj-image-${Math.random().toString(36).slice(2)}`
    const error = crel("p", { className: "zj-dialog-error", role: "alert" })
    const choices = crel("div", { className: "zj-image-choices" })
    const file = crel("input", {
      type: "file",
      id: `${id}-file`,
      name: "file",
      accept: "image/png,image/jpeg,image/gif,image/webp",
    })
    const caption = crel("input", { type: "text", id: `${id}-caption`, name: "caption", size: 50 })
    const alt = crel("input", { type: "text", id: `${id}-alt`, name: "alt", size: 50 })
    const submit = crel("button", { type: "submit", textContent: "插入" })
    const cancel = crel("button", { type: "button", textContent: "取消" })
    // crel sets textContent after appending children: the label's text goes in as a child.
    const field = (label, input, help) =>
      crel("div", { className: "prose-editor-dialog-field" }, [
        crel("label", { htmlFor: input.id }, [
          label,
          crel("span", { className: "prose-editor-help", textContent: help }),
        ]),
        input,
      ])
    const form = crel("form", {}, [
      crel("h3", { className: "prose-editor-dialog-title", id: `${id}-title`, textContent: "插入图片" }),
      crel("fieldset", { className: "zj-image-source" }, [
        crel("legend", { textContent: "本文的图片（附件）" }),
        choices,
      ]),
      field("或上传新图片", file, "PNG、JPEG、GIF、WebP；上传后即成为本文的附件"),
      field("图注", caption, "显示在图片下方，可空"),
      field("替代文字", alt, "供读屏软件朗读；空着则用图注"),
      error,
      crel("div", { className: "prose-editor-dialog-buttons" }, [submit, cancel]),
    ])
    const dialog = crel("dialog", { className: "prose-editor-dialog zj-image-dialog" }, [form])
    dialog.setAttribute("aria-labelledby", `${id}-title`)
    editor.view.dom.parentElement.append(dialog)

    const finish = (value) => {
      resolve(value)
      dialog.close()
      dialog.remove()
    }
    cancel.addEventListener("click", () => finish(null))
    dialog.addEventListener("cancel", () => finish(null))

    if (!imagesUrl) {
      choices.append(
        crel("p", { textContent: "文章保存后才能插入图片：请先点“保存并继续编辑”，再插入。" }),
      )
      file.disabled = true
      submit.disabled = true
    } else {
      choices.append(crel("p", { textContent: "正在读取……" }))
      askJSON(imagesUrl)
        .then(({ images }) => {
          choices.textContent = ""
          if (!images.length) {
            choices.append(crel("p", { textContent: "本文还没有图片附件，请在下面上传。" }))
          }
          for (const image of images) {
            const radio = crel("input", {
              type: "radio",
              name: "existing",
              value: image.url,
              id: `${id}-a${image.id}`,
            })
            radio.dataset.title = image.title
            choices.append(
              crel("label", { className: "zj-image-choice", htmlFor: radio.id }, [
                radio,
                crel("img", { src: image.url, alt: "" }),
                crel("span", { textContent: image.title }),
              ]),
            )
          }
        })
        .catch((e) => {
          choices.textContent = ""
          choices.append(crel("p", { textContent: e.message }))
        })
    }

    form.addEventListener("submit", async (e) => {
      e.preventDefault()
      error.textContent = ""
      const picked = form.querySelector("input[name=existing]:checked")
      const text = caption.value.trim()
      let src = picked?.value
      if (file.files.length) {
        const body = new FormData()
        body.append("file", file.files[0])
        body.append("caption", text)
        submit.disabled = true
        try {
          src = (await askJSON(imagesUrl, { method: "POST", body })).url
        } catch (err) {
          error.textContent = err.message
          return
        } finally {
          submit.disabled = false
        }
      }
      if (!src) {
        error.textContent = "请选择一张本文的图片，或上传一张新图片。"
        return
      }
      finish({ src, caption: text, alt: alt.value.trim() || text })
    })

    dialog.showModal()
  })
}

// The image button inserts a <figure> (img + figcaption) through our dialog; an image that is
// already there is edited with the package's own dialog.
const Figure = E.Figure.extend({
  addOptions() {
    return { ...this.parent?.(), imagesUrl: "" }
  },
  addCommands() {
    const parent = this.parent?.() || {}
    const imagesUrl = () => this.options.imagesUrl
    const name = this.name
    return {
      ...parent,
      editImage: () => (props) => {
        const { state, dispatch, editor } = props
        if (editor.isActive("figure") || state.selection.node?.type.name === "image") {
          return parent.editImage()(props)
        }
        if (!canInsertNode(state, state.schema.nodes[name])) return false
        if (!dispatch) return true
        imageDialog(editor, imagesUrl()).then((picked) => {
          if (!picked) return
          const content = [{ type: "image", attrs: { src: picked.src, alt: picked.alt } }]
          if (picked.caption) {
            content.push({ type: "caption", content: [{ type: "text", text: picked.caption }] })
          }
          editor.chain().focus().insertContent({ type: name, content }).run()
        })
        return true
      },
    }
  },
})

// Structure a pasted document brings with it: such a paste keeps its own paragraphs.
const STRUCTURE = "table, ul, ol, h1, h2, h3, h4, h5, h6, img, pre, blockquote, figure"

function isLineBrokenText(text, html) {
  if ((text.match(/\S[^\n]*\n/g) || []).length < 1) return false
  if (!html) return true
  if (html.includes("data-pm-slice")) return false // copied inside the editor
  const doc = new DOMParser().parseFromString(html, "text/html")
  return !doc.body.querySelector(STRUCTURE)
}

const CleanPaste = Extension.create({
  name: "cleanPaste",
  addOptions() {
    return { url: "", status: null }
  },
  addProseMirrorPlugins() {
    const { url, status } = this.options
    const editor = this.editor
    if (!url) return []
    const say = (message) => {
      if (status) status.textContent = message
    }
    const insert = (paragraphs) => {
      const content = paragraphs
        .filter((p) => p.trim())
        .map((p) => ({ type: "paragraph", content: [{ type: "text", text: p }] }))
      if (content.length) editor.chain().focus().insertContent(content).run()
    }
    return [
      new Plugin({
        props: {
          handlePaste(_view, event) {
            const data = event.clipboardData
            const text = data?.getData("text/plain") || ""
            if (!isLineBrokenText(text, data?.getData("text/html") || "")) return false
            if (editor.isActive("codeBlock")) return false
            event.preventDefault()
            say("正在整理粘贴的段落……")
            const body = new FormData()
            body.append("text", text)
            askJSON(url, { method: "POST", body })
              .then(({ paragraphs, lines }) => {
                insert(paragraphs)
                say(`已把粘贴的 ${lines} 行整理为 ${paragraphs.length} 段。`)
              })
              .catch((err) => {
                insert(text.split(/\r?\n/))
                say(`${err.message} 已按原来的分行粘贴。`)
              })
            return true
          },
        },
      }),
    ]
  },
})

// The editing area is named after its field's label (an unnamed textbox is an axe violation).
const AreaLabel = Extension.create({
  name: "areaLabel",
  addOptions() {
    return { label: "正文" }
  },
  addProseMirrorPlugins() {
    const attributes = { "aria-label": this.options.label, "aria-multiline": "true" }
    return [new Plugin({ props: { attributes } })]
  },
})

const OURS = { Link, Figure }

function fieldLabel(textarea) {
  const label = textarea.id && document.querySelector(`label[for="${textarea.id}"]`)
  return (label?.textContent || "正文").replace(/[:：\s]+$/, "").trim() || "正文"
}

function createEditor(textarea) {
  if (textarea.closest(".prose-editor")) return null
  const config = JSON.parse(textarea.getAttribute(MARKER) || "{}")
  const { imagesUrl = "", pasteUrl = "" } = textarea.dataset
  const status = crel("p", { className: "zj-editor-status", role: "status" })

  const extensions = []
  for (const [name, options] of Object.entries(config.extensions || {})) {
    const extension = OURS[name] || E[name]
    if (!extension) continue
    let settings = typeof options === "object" ? { ...options } : {}
    if (name === "Menu") settings = { items: menuCreator(settings.groups || []) }
    if (name === "Figure") settings.imagesUrl = imagesUrl
    extensions.push(Object.keys(settings).length ? extension.configure(settings) : extension)
  }
  extensions.push(
    E.TrailingNode,
    CleanPaste.configure({ url: pasteUrl, status }),
    AreaLabel.configure({ label: fieldLabel(textarea) }),
  )

  const editor = E.createTextareaEditor(textarea, extensions)
  // The paragraph TrailingNode keeps after a final table is for the cursor, not the article.
  const trim = () => {
    textarea.value = textarea.value.replace(/(?:<p><\/p>)+$/, "")
  }
  editor.on("update", trim)
  trim()
  editor.view.dom.parentElement.after(status)
  nameUnknownBlockType(editor)
  textarea.dispatchEvent(
    new CustomEvent("prose-editor:ready", { detail: { editor, textarea }, bubbles: true }),
  )
  return editor
}

E.initializeEditors(createEditor, `[${MARKER}]`)

export { createEditor }
