export interface HttpReply<T> { status: number, body: T }

export async function getJson<T> (url: string, token?: string): Promise<HttpReply<T>> {
  const res = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
  return { status: res.status, body: await res.json() as T }
}

export async function postJson<T> (url: string, body: unknown, token?: string): Promise<HttpReply<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) })
  return { status: res.status, body: await res.json() as T }
}
