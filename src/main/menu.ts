// Native menus in the UI's language: File (New diagnosis, Open…, Open recent, Save, Save as…, Export
// report…), Edit, View, Help. Commands go to the renderer as `menu.command` events; the renderer owns
// the document, so Save/Export always act on what the user sees.
import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { MenuCommand, SessionRef } from '../core/api';

type Lang = 'zh-CN' | 'en';
const L = {
  file: { en: '&File', 'zh-CN': '文件(&F)' },
  new: { en: 'New Diagnosis', 'zh-CN': '新建诊断' },
  open: { en: 'Open…', 'zh-CN': '打开…' },
  recent: { en: 'Open Recent', 'zh-CN': '最近打开' },
  noRecent: { en: 'No recent sessions', 'zh-CN': '没有最近的会话' },
  save: { en: 'Save', 'zh-CN': '保存' },
  saveAs: { en: 'Save As…', 'zh-CN': '另存为…' },
  export: { en: 'Export Report…', 'zh-CN': '导出报告…' },
  example: { en: 'Open Example Session', 'zh-CN': '打开示例会话' },
  edit: { en: '&Edit', 'zh-CN': '编辑(&E)' },
  view: { en: '&View', 'zh-CN': '视图(&V)' },
  language: { en: 'Language', 'zh-CN': '语言' },
  theme: { en: 'Theme', 'zh-CN': '主题' },
  light: { en: 'Light', 'zh-CN': '浅色' },
  dark: { en: 'Dark', 'zh-CN': '深色' },
  system: { en: 'Follow System', 'zh-CN': '跟随系统' },
  help: { en: '&Help', 'zh-CN': '帮助(&H)' },
  docs: { en: 'Security Group Documentation', 'zh-CN': '安全组文档' },
  about: { en: 'About SG Doctor', 'zh-CN': '关于 SG Doctor' },
} satisfies Record<string, Record<Lang, string>>;

export interface MenuActions {
  command(c: MenuCommand): void;
  openRecent(ref: string): void;
  openDocs(): void;
}

export function buildMenu(lang: Lang, recent: SessionRef[], actions: MenuActions, opts: { isMac: boolean; dev: boolean }): Menu {
  const t = (k: keyof typeof L) => L[k][lang];
  const cmd = (c: MenuCommand) => () => actions.command(c);
  const template: MenuItemConstructorOptions[] = [
    ...(opts.isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: t('file'),
      submenu: [
        { label: t('new'), accelerator: 'CmdOrCtrl+N', click: cmd('new') },
        { label: t('open'), accelerator: 'CmdOrCtrl+O', click: cmd('open') },
        {
          label: t('recent'),
          submenu: recent.length
            ? recent.map((r) => ({ label: r.name, sublabel: r.display, click: () => actions.openRecent(r.ref) }))
            : [{ label: t('noRecent'), enabled: false }],
        },
        { type: 'separator' },
        { label: t('save'), accelerator: 'CmdOrCtrl+S', click: cmd('save') },
        { label: t('saveAs'), accelerator: 'CmdOrCtrl+Shift+S', click: cmd('saveAs') },
        { label: t('export'), accelerator: 'CmdOrCtrl+E', click: cmd('export') },
        { type: 'separator' },
        { label: t('example'), click: cmd('example') },
        ...(opts.isMac ? [] : [{ type: 'separator' as const }, { role: 'quit' as const }]),
      ],
    },
    { label: t('edit'), role: 'editMenu' as const },
    {
      label: t('view'),
      submenu: [
        {
          label: t('language'),
          submenu: [
            { label: 'English', type: 'radio', checked: lang === 'en', click: cmd('lang:en') },
            { label: '简体中文', type: 'radio', checked: lang === 'zh-CN', click: cmd('lang:zh-CN') },
          ],
        },
        {
          label: t('theme'),
          submenu: [
            { label: t('light'), click: cmd('theme:light') },
            { label: t('dark'), click: cmd('theme:dark') },
            { label: t('system'), click: cmd('theme:system') },
          ],
        },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(opts.dev ? [{ role: 'toggleDevTools' as const }] : []),
      ],
    },
    {
      label: t('help'),
      role: 'help',
      submenu: [
        { label: t('docs'), click: () => actions.openDocs() },
        { label: t('about'), click: cmd('about') },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
