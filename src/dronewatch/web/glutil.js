// What the console's own WebGL layers (tracklayer.js, linelayer.js) share: building a program,
// uploading a vertex buffer in place, the origin-relative projection matrix, attribute setup, and
// the custom layer they are built on.
import * as maplibregl from "./vendor/maplibre-gl/maplibre-gl.mjs";

export function program(gl, vs, fs) {
  const p = gl.createProgram();
  for (const [type, src] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]]) {
    const s = gl.createShader(type);
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s));
    gl.attachShader(p, s);
  }
  gl.linkProgram(p);
  return p;
}

// layer: {buffer, data (Float32Array), capacity, dirty}; floats: how many of data are in use
export function upload(gl, layer, floats) {
  gl.bindBuffer(gl.ARRAY_BUFFER, layer.buffer);
  if (!layer.dirty) return;
  if (layer.data.length > layer.capacity) {
    gl.bufferData(gl.ARRAY_BUFFER, layer.data, gl.DYNAMIC_DRAW);  // grow
    layer.capacity = layer.data.length;
  } else {
    gl.bufferSubData(gl.ARRAY_BUFFER, 0, layer.data.subarray(0, floats));  // in place
  }
  layer.dirty = false;
}

// Mercator [0, 1] -> clip space (MapLibre 5+: defaultProjectionData.mainMatrix; the older
// modelViewProjectionMatrix takes world pixels), translated by the layer's origin in float64
// before it becomes float32, so positions relative to the origin keep their precision.
export function originMatrix(args, ox, oy) {
  const m = args.defaultProjectionData.mainMatrix;
  const t = new Float32Array(16);
  for (let k = 0; k < 16; k++) t[k] = m[k];
  for (let r = 0; r < 4; r++) t[12 + r] = m[r] * ox + m[4 + r] * oy + m[12 + r];
  return t;
}

// spec: [[attribute name, floats, offset in floats]]; returns a function that disables them again
export function attributes(gl, loc, stride, spec) {
  for (const [name, size, offset] of spec) {
    gl.enableVertexAttribArray(loc[name]);
    gl.vertexAttribPointer(loc[name], size, gl.FLOAT, false, stride * 4, offset * 4);
  }
  return () => { for (const [name] of spec) gl.disableVertexAttribArray(loc[name]); };
}

// A MapLibre custom layer drawing one vertex buffer with one program, positions relative to an
// origin (mercator). Subclasses fill this.data, call changed(count), and draw after begin().
export class GLLayer {
  constructor(id, origin, shaders, names) {
    this.id = id;
    this.type = "custom";
    this.renderingMode = "2d";
    const o = maplibregl.MercatorCoordinate.fromLngLat(origin);
    this.ox = o.x; this.oy = o.y;
    this.shaders = shaders;  // [vertex, fragment]
    this.names = names;      // attribute and uniform names
    this.count = 0;
    this.capacity = 0;
    this.data = new Float32Array(0);
    this.dirty = false;
  }

  onAdd(map, gl) {
    this.map = map;
    this.program = program(gl, ...this.shaders);
    this.loc = {};
    for (const n of this.names) {
      this.loc[n] = n.startsWith("a_") ? gl.getAttribLocation(this.program, n) : gl.getUniformLocation(this.program, n);
    }
    this.buffer = gl.createBuffer();
  }

  reserve(floats) {  // room for this many floats in this.data
    if (floats > this.data.length) this.data = new Float32Array(Math.max(floats * 2, 2048));
    return this.data;
  }

  changed(count) {
    this.count = count;
    this.dirty = true;
    this.map?.triggerRepaint();
  }

  begin(gl, args, stride) {  // program, buffer and projection for this frame
    gl.useProgram(this.program);
    upload(gl, this, this.count * stride);
    gl.uniformMatrix4fv(this.loc.u_matrix, false, originMatrix(args, this.ox, this.oy));
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);  // premultiplied alpha, as MapLibre draws
  }
}
