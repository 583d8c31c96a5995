// The editor's Chinese labels. django-prose-editor translates its dialogs with window.gettext,
// read once when its module loads; this classic script runs before any module, after the
// admin's own catalog (jsi18n), and adds to that catalog.
;(() => {
  const ZH = {
    // Dialogs
    Update: "确定",
    Cancel: "取消",
    Insert: "插入",
    URL: "网址",
    Title: "标题（鼠标悬停时显示，可空）",
    "Open in new window": "在新窗口打开",
    "Edit Link": "编辑链接",
    Rows: "行数",
    Columns: "列数",
    "Include header row": "第一行作表头",
    "Table Properties": "插入表格",
    "Insert Table": "插入表格",
    "Edit HTML": "编辑 HTML 源码",
    Prettify: "整理缩进",
    "The HTML contents of the editor. Note that the allowed HTML is restricted by the editor schema.":
      "正文的 HTML 源码。编辑器只保留它支持的标签，保存时还会再清理一次。",
    "Image URL": "图片地址",
    "Alternative Text": "替代文字（供读屏软件）",
    Caption: "图注",
    "Edit Figure": "编辑图片",
    "Edit Image": "编辑图片",
    "Insert Figure": "插入图片",
    "Browse...": "浏览…",
    "Add caption": "添加图注",
    "Remove caption": "删除图注",
    "List properties": "列表设置",
    "List type": "编号样式",
    "Start at": "起始编号",
    Bullets: "圆点",
    "Decimal numbers": "1. 2. 3.",
    "Lowercase letters": "a. b. c.",
    "Uppercase letters": "A. B. C.",
    "Lowercase Roman numerals": "i. ii. iii.",
    "Uppercase Roman numerals": "I. II. III.",
    "Toggle fullscreen": "全屏",
  }
  const django = window.django || (window.django = {})
  django.catalog = django.catalog || {}
  for (const [msgid, text] of Object.entries(ZH)) {
    if (!(msgid in django.catalog)) django.catalog[msgid] = text
  }
  if (typeof window.gettext !== "function") {
    window.gettext = (msgid) => {
      const value = django.catalog[msgid]
      return value === undefined ? msgid : Array.isArray(value) ? value[0] : value
    }
  }
})()
