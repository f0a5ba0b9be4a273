// Downloads from the gateway's short-lived /documents links: they need the bearer token, so a
// plain link cannot work; fetch, then hand the browser the file.

export async function download(auth, url, fallbackName) {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${await auth.accessToken()}` } });
  if (!response.ok) throw new Error(`The download failed (${response.status}).`);
  const blob = await response.blob();
  const name = fileName(response.headers.get("Content-Disposition")) || fallbackName;
  const href = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = href;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60000);
}

function fileName(disposition) {
  const match = disposition && /filename="?([^";]+)"?/i.exec(disposition);
  return match ? match[1] : null;
}
