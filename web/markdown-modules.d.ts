// The lessons' markdown, bundled as text by web/build.ts (esbuild's text loader for .md).
declare module '*.md' {
  const text: string;
  export default text;
}
