/**
 * A part of the node with a running phase, as js-libp2p's Startable: the node starts its parts in
 * dependency order and stops them in reverse. libp2p itself has this shape.
 */
export interface Startable {
  start: () => Promise<void> | void
  stop: () => Promise<void> | void
}
