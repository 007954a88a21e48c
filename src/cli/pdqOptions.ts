import { Option } from 'commander'
import { PDQ_MODES } from '../hashing/fileHasher.js'

/** Options `hash` and `match` share, spelled once. */

export function modeOption (): Option {
  return new Option('--mode <mode>', 'PDQ mode: core = full resolution (python-threatexchange, HMA); tool = the C++ CLI\'s 512×512 pre-resize')
    .choices(PDQ_MODES).default('core')
}

export function dihedralOption (): Option {
  return new Option('--dihedral', 'also the seven rotations and flips of each image')
}
