// Read by the Vite plugin and by svelte-check. Runes mode everywhere: no legacy reactivity.
/** @type {import('@sveltejs/vite-plugin-svelte').SvelteConfig} */
export default {
  compilerOptions: { runes: true },
};
