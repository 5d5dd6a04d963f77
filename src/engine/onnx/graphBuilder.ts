/**
 * A small ONNX graph builder: named initializers (float32 raw data, int64 constants), nodes with typed
 * attributes and unique output names, and the model wrapper. Framework-free; the BERT graph (bertGraph.ts)
 * is written with it.
 */
import {
  AttributeType,
  IR_VERSION,
  OnnxDataType,
  OPSET_VERSION,
  type AttributeMessage,
  type DimMessage,
  type ModelMessage,
  type NodeMessage,
  type TensorMessage,
  type ValueInfoMessage,
} from './onnxProto';

/** A node attribute value: a float, an int, or a list of ints (the kinds the BERT graph needs). */
export type AttributeValue = { float: number } | { int: number } | { ints: number[] };

/** A graph input or output: name, element type and shape (numbers fixed, strings symbolic dynamic axes). */
export interface ValueSpec {
  name: string;
  type: 'float32' | 'int64';
  shape: (number | string)[];
}

function littleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** float32 values as little-endian bytes (ONNX raw_data is always little-endian). */
export function float32Bytes(data: Float32Array): Uint8Array {
  if (littleEndianHost()) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

function attribute(name: string, value: AttributeValue): AttributeMessage {
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  return { name, type: AttributeType.INTS, ints: value.ints };
}

function valueInfo(spec: ValueSpec): ValueInfoMessage {
  const dim: DimMessage[] = spec.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  const elem_type = spec.type === 'float32' ? OnnxDataType.FLOAT : OnnxDataType.INT64;
  return { name: spec.name, type: { tensor_type: { elem_type, shape: { dim } } } };
}

/** Collects nodes and initializers; every `op` call returns the name of its (single) output. */
export class GraphBuilder {
  private readonly nodes: NodeMessage[] = [];
  private readonly initializers: TensorMessage[] = [];
  private readonly constants = new Map<string, string>();
  private counter = 0;

  /** A float32 initializer (a weight) under `name`, row-major `data` of shape `dims`. */
  weight(name: string, dims: number[], data: Float32Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`ONNX initializer ${name}: ${data.length} values for shape [${dims.join(', ')}]`);
    this.initializers.push({ name, dims, data_type: OnnxDataType.FLOAT, raw_data: float32Bytes(data) });
    return name;
  }

  /** A float32 scalar constant, shared between uses of the same value. */
  scalar(value: number): string {
    const key = `f:${value}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = `const_f32_${this.constants.size}`;
    this.initializers.push({ name, dims: [], data_type: OnnxDataType.FLOAT, raw_data: float32Bytes(Float32Array.of(value)) });
    this.constants.set(key, name);
    return name;
  }

  /** A 1-D int64 constant (shapes, axes, slice bounds), shared between uses of the same values. */
  int64s(values: number[]): string {
    const key = `i:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = `const_i64_${this.constants.size}`;
    this.initializers.push({ name, dims: [values.length], data_type: OnnxDataType.INT64, int64_data: values });
    this.constants.set(key, name);
    return name;
  }

  /** Appends an `opType` node on `inputs`; returns its output's name (`output` if given, else a fresh one). */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, output?: string): string {
    const index = this.counter++;
    const out = output ?? `${opType.toLowerCase()}_${index}`;
    this.nodes.push({
      name: `${opType}_${index}`,
      op_type: opType,
      input: inputs,
      output: [out],
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return out;
  }

  /** The finished model: this graph with `inputs` and `outputs`, default-domain opset 17. */
  model(graphName: string, inputs: ValueSpec[], outputs: ValueSpec[], docString: string): ModelMessage {
    return {
      ir_version: IR_VERSION,
      producer_name: 'embedding-studio',
      producer_version: '0.1.0',
      doc_string: docString,
      opset_import: [{ domain: '', version: OPSET_VERSION }],
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: inputs.map(valueInfo),
        output: outputs.map(valueInfo),
      },
    };
  }
}
