// fetchHello asks the Go server's /api/hello for a greeting.
export async function fetchHello(name) {
  const url = new URL("/api/hello", window.location.origin);
  if (name) url.searchParams.set("name", name);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url.pathname}: ${res.status}`);
  return res.json();
}
