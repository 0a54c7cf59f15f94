// One WebGL layer for every track (tar1090's lesson): a MapLibre custom layer holding one
// vertex buffer, rewritten in place (bufferSubData) when tracks change; each track is a point
// sprite showing its class symbol (drone chevron, bird wings, aircraft, unknown diamond) rotated
// to its heading, filled with its affiliation colour and outlined in black. The four symbols are
// drawn once into a small texture (canvas 2D), so a fragment costs one rotation and one texture
// read: with a software GL (SwiftShader) the per-pixel shape tests this replaced cost ~80 ms a
// frame at 1,000 tracks.
import * as maplibregl from "./vendor/maplibre-gl/maplibre-gl.mjs";
import { GLLayer, attributes } from "./glutil.js";

const STRIDE = 8; // x, y (mercator, relative to the origin), angle, shape, r, g, b, size
const SHAPE = { drone: 0, bird: 1, aircraft: 2, unknown: 3 };
const CELL = 64;   // atlas cell, pixels: the symbols side by side in one row

// Each symbol as polygons in [-1, 1] (y up, nose at +y).
const SYMBOLS = [
  [[[0, 0.9], [0.75, -0.8], [0, -0.35], [-0.75, -0.8]]],                                   // drone: chevron
  [[[0, 0.35], [0.95, -0.3], [0, 0.05], [-0.95, -0.3]]],                                   // bird: wings
  [[[-0.14, 0.92], [0.14, 0.92], [0.14, -0.92], [-0.14, -0.92]],                           // aircraft: fuselage,
    [[0, 0.45], [0.95, -0.1], [-0.95, -0.1]], [[-0.4, -0.66], [0.4, -0.66], [0.4, -0.9], [-0.4, -0.9]]],  // wings, tail
  [[[0, 0.8], [0.8, 0], [0, -0.8], [-0.8, 0]]],                                            // unknown: diamond
];

// RGBA atlas: red = the symbol (filled with the track's colour), green = symbol plus outline.
function atlas() {
  const w = CELL * SYMBOLS.length;
  const layer = (outline) => {
    const c = document.createElement("canvas");
    c.width = w; c.height = CELL;
    const g = c.getContext("2d");
    g.fillStyle = g.strokeStyle = "#fff";
    g.lineJoin = "round";
    g.lineWidth = outline ? CELL * 0.1 : 0;
    SYMBOLS.forEach((polys, k) => {
      for (const poly of polys) {
        g.beginPath();
        // 0.47 of the cell per unit: room for the outline inside the cell, little to spare
        poly.forEach(([x, y], i) => g[i ? "lineTo" : "moveTo"]((k + 0.5 + x * 0.47) * CELL, (0.5 - y * 0.47) * CELL));
        g.closePath();
        g.fill();
        if (outline) g.stroke();
      }
    });
    return g.getImageData(0, 0, w, CELL).data;
  };
  const inner = layer(false), outer = layer(true);
  const out = new Uint8Array(w * CELL * 4);
  for (let i = 0; i < w * CELL; i++) { out[4 * i] = inner[4 * i + 3]; out[4 * i + 1] = outer[4 * i + 3]; out[4 * i + 3] = 255; }
  return { width: w, height: CELL, pixels: out };
}

const VS = `
attribute vec2 a_pos; attribute float a_angle; attribute float a_shape; attribute vec3 a_color; attribute float a_size;
uniform mat4 u_matrix; uniform float u_bearing; uniform float u_ratio;
varying vec2 v_rot; varying float v_cell; varying vec3 v_color;
void main() {
  gl_Position = u_matrix * vec4(a_pos, 0.0, 1.0);
  gl_PointSize = a_size * u_ratio;
  float angle = a_angle - u_bearing;
  v_rot = vec2(cos(angle), sin(angle)); v_cell = a_shape; v_color = a_color;
}`;

const FS = `
precision mediump float;
uniform sampler2D u_atlas; uniform float u_cells;
varying vec2 v_rot; varying float v_cell; varying vec3 v_color;
void main() {
  vec2 q = gl_PointCoord - 0.5;
  vec2 p = vec2(v_rot.x * q.x + v_rot.y * q.y, -v_rot.y * q.x + v_rot.x * q.y);  // rotate by the heading
  vec2 m = texture2D(u_atlas, vec2((v_cell + 0.5 + p.x) / u_cells, 0.5 + p.y)).rg;
  if (m.g < 0.05 || max(abs(p.x), abs(p.y)) > 0.5) discard;
  gl_FragColor = vec4(mix(vec3(0.04, 0.05, 0.06), v_color, m.r) * m.g, m.g);  // premultiplied alpha
}`;

function hex(c) {
  const n = parseInt(c.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}

export class TrackLayer extends GLLayer {
  constructor(origin) {
    super("tracks-gl", origin, [VS, FS],
      ["a_pos", "a_angle", "a_shape", "a_color", "a_size", "u_matrix", "u_bearing", "u_ratio", "u_atlas", "u_cells"]);
  }

  onAdd(map, gl) {
    super.onAdd(map, gl);
    const a = atlas();
    this.texture = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, this.texture);
    const flip = gl.getParameter(gl.UNPACK_FLIP_Y_WEBGL), premultiply = gl.getParameter(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, a.width, a.height, 0, gl.RGBA, gl.UNSIGNED_BYTE, a.pixels);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, flip);  // MapLibre caches these: leave them as found
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, premultiply);
    for (const [k, v] of [[gl.TEXTURE_MIN_FILTER, gl.LINEAR], [gl.TEXTURE_MAG_FILTER, gl.LINEAR],
      [gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE], [gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE]]) gl.texParameteri(gl.TEXTURE_2D, k, v);
    gl.bindTexture(gl.TEXTURE_2D, null);
  }

  // tracks: [{lon, lat, heading_deg, cls, colour, size}]
  set(tracks) {
    const n = tracks.length;
    const d = this.reserve(n * STRIDE);
    let i = 0;
    for (const t of tracks) {
      const m = maplibregl.MercatorCoordinate.fromLngLat([t.lon, t.lat]);
      const [r, g, b] = t.rgb || hex(t.colour);
      d[i] = m.x - this.ox; d[i + 1] = m.y - this.oy; d[i + 2] = t.heading_deg * Math.PI / 180;
      d[i + 3] = SHAPE[t.cls] ?? 3; d[i + 4] = r; d[i + 5] = g; d[i + 6] = b; d[i + 7] = t.size || 16;
      i += STRIDE;
    }
    this.changed(n);
  }

  render(gl, args) {
    if (!this.count) return;
    this.begin(gl, args, STRIDE);
    gl.uniform1f(this.loc.u_bearing, this.map.getBearing() * Math.PI / 180);
    gl.uniform1f(this.loc.u_ratio, window.devicePixelRatio || 1);
    const done = attributes(gl, this.loc, STRIDE,
      [["a_pos", 2, 0], ["a_angle", 1, 2], ["a_shape", 1, 3], ["a_color", 3, 4], ["a_size", 1, 7]]);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.texture);
    gl.uniform1i(this.loc.u_atlas, 0);
    gl.uniform1f(this.loc.u_cells, SYMBOLS.length);
    gl.drawArrays(gl.POINTS, 0, this.count);
    done();
  }
}
