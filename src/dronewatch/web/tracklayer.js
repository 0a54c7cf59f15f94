// One WebGL layer for every track (tar1090's lesson): a MapLibre custom layer holding one
// vertex buffer, rewritten in place (bufferSubData) when tracks change; each track is a point
// sprite whose fragment shader draws its class symbol (drone chevron, bird wings, aircraft,
// unknown diamond) rotated to its heading, filled with its affiliation colour.
import * as maplibregl from "./vendor/maplibre-gl/maplibre-gl.mjs";

const STRIDE = 8; // x, y (mercator, relative to the origin), angle, shape, r, g, b, size
const SHAPE = { drone: 0, bird: 1, aircraft: 2, unknown: 3 };

const VS = `
attribute vec2 a_pos; attribute float a_angle; attribute float a_shape; attribute vec3 a_color; attribute float a_size;
uniform mat4 u_matrix; uniform float u_bearing; uniform float u_ratio;
varying float v_angle; varying float v_shape; varying vec3 v_color;
void main() {
  gl_Position = u_matrix * vec4(a_pos, 0.0, 1.0);
  gl_PointSize = a_size * u_ratio;
  v_angle = a_angle - u_bearing; v_shape = a_shape; v_color = a_color;
}`;

const FS = `
precision mediump float;
varying float v_angle; varying float v_shape; varying vec3 v_color;
float tri(vec2 p, vec2 a, vec2 b, vec2 c) {
  vec2 e0 = b - a, e1 = c - b, e2 = a - c;
  float d0 = (p.x - a.x) * e0.y - (p.y - a.y) * e0.x;
  float d1 = (p.x - b.x) * e1.y - (p.y - b.y) * e1.x;
  float d2 = (p.x - c.x) * e2.y - (p.y - c.y) * e2.x;
  return (d0 <= 0.0 && d1 <= 0.0 && d2 <= 0.0) || (d0 >= 0.0 && d1 >= 0.0 && d2 >= 0.0) ? 1.0 : 0.0;
}
float shape(vec2 p) {
  if (v_shape < 0.5) {            // drone: chevron
    return max(tri(p, vec2(0.0, 0.9), vec2(0.75, -0.8), vec2(0.0, -0.35)), tri(p, vec2(0.0, 0.9), vec2(-0.75, -0.8), vec2(0.0, -0.35)));
  } else if (v_shape < 1.5) {     // bird: wings
    return max(tri(p, vec2(0.0, 0.35), vec2(0.95, -0.3), vec2(0.0, 0.05)), tri(p, vec2(0.0, 0.35), vec2(-0.95, -0.3), vec2(0.0, 0.05)));
  } else if (v_shape < 2.5) {     // aircraft: fuselage, wings, tail
    float body = step(abs(p.x), 0.14) * step(abs(p.y), 0.92);
    float wings = tri(p, vec2(0.0, 0.45), vec2(0.95, -0.1), vec2(-0.95, -0.1));
    float tail = step(abs(p.x), 0.4) * step(abs(p.y + 0.78), 0.12);
    return max(body, max(wings, tail));
  }
  return step(abs(p.x) + abs(p.y), 0.8); // unknown: diamond
}
void main() {
  vec2 q = gl_PointCoord * 2.0 - 1.0; q.y = -q.y;
  float c = cos(v_angle), s = sin(v_angle);
  vec2 p = vec2(c * q.x - s * q.y, s * q.x + c * q.y);
  float inner = shape(p);
  float outer = max(max(shape(p * 1.18), shape(p * 1.18 + vec2(0.06, 0.0))), shape(p * 1.18 - vec2(0.06, 0.0)));
  if (outer < 0.5) discard;
  gl_FragColor = inner > 0.5 ? vec4(v_color, 1.0) : vec4(0.04, 0.05, 0.06, 1.0);
}`;

function compile(gl, type, src) {
  const s = gl.createShader(type);
  gl.shaderSource(s, src);
  gl.compileShader(s);
  if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s));
  return s;
}

function hex(c) {
  const n = parseInt(c.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}

export class TrackLayer {
  constructor(origin) {
    this.id = "tracks-gl";
    this.type = "custom";
    this.renderingMode = "2d";
    const o = maplibregl.MercatorCoordinate.fromLngLat(origin);
    this.ox = o.x; this.oy = o.y;
    this.count = 0;
    this.capacity = 0;
    this.data = new Float32Array(0);
    this.dirty = false;
  }

  onAdd(map, gl) {
    this.map = map;
    const p = gl.createProgram();
    gl.attachShader(p, compile(gl, gl.VERTEX_SHADER, VS));
    gl.attachShader(p, compile(gl, gl.FRAGMENT_SHADER, FS));
    gl.linkProgram(p);
    this.program = p;
    this.loc = {};
    for (const a of ["a_pos", "a_angle", "a_shape", "a_color", "a_size"]) this.loc[a] = gl.getAttribLocation(p, a);
    for (const u of ["u_matrix", "u_bearing", "u_ratio"]) this.loc[u] = gl.getUniformLocation(p, u);
    this.buffer = gl.createBuffer();
  }

  // tracks: [{lon, lat, heading_deg, cls, colour, size}]
  set(tracks) {
    const n = tracks.length;
    if (n * STRIDE > this.data.length) this.data = new Float32Array(Math.max(n * 2, 256) * STRIDE);
    const d = this.data;
    let i = 0;
    for (const t of tracks) {
      const m = maplibregl.MercatorCoordinate.fromLngLat([t.lon, t.lat]);
      const [r, g, b] = t.rgb || hex(t.colour);
      d[i] = m.x - this.ox; d[i + 1] = m.y - this.oy; d[i + 2] = t.heading_deg * Math.PI / 180;
      d[i + 3] = SHAPE[t.cls] ?? 3; d[i + 4] = r; d[i + 5] = g; d[i + 6] = b; d[i + 7] = t.size || 18;
      i += STRIDE;
    }
    this.count = n;
    this.dirty = true;
    this.map?.triggerRepaint();
  }

  render(gl, args) {
    if (!this.count) return;
    gl.useProgram(this.program);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.buffer);
    if (this.dirty) {
      if (this.data.length > this.capacity) {
        gl.bufferData(gl.ARRAY_BUFFER, this.data, gl.DYNAMIC_DRAW);  // grow once
        this.capacity = this.data.length;
      } else {
        gl.bufferSubData(gl.ARRAY_BUFFER, 0, this.data.subarray(0, this.count * STRIDE));  // in place
      }
      this.dirty = false;
    }
    const m = args.modelViewProjectionMatrix || args.defaultProjectionData?.mainMatrix;
    // translate by the origin in float64 before handing a float32 matrix to the GPU
    const t = new Float32Array(16);
    for (let k = 0; k < 16; k++) t[k] = m[k];
    for (let r = 0; r < 4; r++) t[12 + r] = m[r] * this.ox + m[4 + r] * this.oy + m[12 + r];
    gl.uniformMatrix4fv(this.loc.u_matrix, false, t);
    gl.uniform1f(this.loc.u_bearing, this.map.getBearing() * Math.PI / 180);
    gl.uniform1f(this.loc.u_ratio, window.devicePixelRatio || 1);
    const F = 4;
    const attr = (name, size, offset) => {
      const l = this.loc[name];
      gl.enableVertexAttribArray(l);
      gl.vertexAttribPointer(l, size, gl.FLOAT, false, STRIDE * F, offset * F);
    };
    attr("a_pos", 2, 0); attr("a_angle", 1, 2); attr("a_shape", 1, 3); attr("a_color", 3, 4); attr("a_size", 1, 7);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA);
    gl.drawArrays(gl.POINTS, 0, this.count);
    for (const name of ["a_pos", "a_angle", "a_shape", "a_color", "a_size"]) gl.disableVertexAttribArray(this.loc[name]);
  }
}
