// Vite's client types: `import url from './x.svg'` and import.meta.env.
/// <reference types="vite/client" />
