// Thin lines on one WebGL layer: the grid, sensor range rings, track trails, predicted paths,
// lines to pilot and home, the measure line. A MapLibre custom layer with one vertex buffer and
// one draw call (GL_LINES, one pixel wide, dashes cut in the fragment shader), so a frame costs
// only the lines' own pixels: MapLibre's line layers cost a stencil mask over the window per
// source and a draw per tile each, which a software GL (SwiftShader) pays for on the CPU.
import * as maplibregl from "./vendor/maplibre-gl/maplibre-gl.mjs";
import { GLLayer, attributes } from "./glutil.js";

const STRIDE = 7; // x, y (mercator, relative to the origin), r, g, b, a, distance along the line (-1: solid)

const VS = `
attribute vec2 a_pos; attribute vec4 a_color; attribute float a_dist;
uniform mat4 u_matrix;
varying vec4 v_color; varying float v_dist;
void main() {
  gl_Position = u_matrix * vec4(a_pos, 0.0, 1.0);
  v_color = a_color; v_dist = a_dist;
}`;

const FS = `
precision highp float;
uniform float u_px;  // pixels per mercator unit
varying vec4 v_color; varying float v_dist;
void main() {
  if (v_dist >= 0.0 && mod(v_dist * u_px, 8.0) > 4.0) discard;  // dashes: 4 px on, 4 px off
  gl_FragColor = vec4(v_color.rgb * v_color.a, v_color.a);          // premultiplied alpha
}`;

export function rgba(hex, alpha = 1) {
  const n = parseInt(hex.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255, alpha];
}

export class LineLayer extends GLLayer {
  constructor(id, origin) {
    super(id, origin, [VS, FS], ["a_pos", "a_color", "a_dist", "u_matrix", "u_px"]);
  }

  // lines: [{coordinates: [[lon, lat], ...], colour: [r, g, b, a], dashed}]
  set(lines) {
    let n = 0;
    for (const l of lines) n += 2 * Math.max(0, l.coordinates.length - 1);
    const d = this.reserve(n * STRIDE);
    let i = 0;
    for (const l of lines) {
      const [r, g, b, a] = l.colour;
      let prev = null, dist = 0;
      for (const c of l.coordinates) {
        const m = maplibregl.MercatorCoordinate.fromLngLat(c);
        const x = m.x - this.ox, y = m.y - this.oy;
        if (prev) {
          const next = dist + Math.hypot(x - prev[0], y - prev[1]);
          for (const [vx, vy, vd] of [[prev[0], prev[1], dist], [x, y, next]]) {
            d[i] = vx; d[i + 1] = vy; d[i + 2] = r; d[i + 3] = g; d[i + 4] = b; d[i + 5] = a; d[i + 6] = l.dashed ? vd : -1;
            i += STRIDE;
          }
          dist = next;
        }
        prev = [x, y];
      }
    }
    this.changed(n);
  }

  render(gl, args) {
    if (!this.count) return;
    this.begin(gl, args, STRIDE);
    gl.uniform1f(this.loc.u_px, 512 * 2 ** this.map.getZoom() * (window.devicePixelRatio || 1));
    const done = attributes(gl, this.loc, STRIDE, [["a_pos", 2, 0], ["a_color", 4, 2], ["a_dist", 1, 6]]);
    gl.drawArrays(gl.LINES, 0, this.count);
    done();
  }
}
