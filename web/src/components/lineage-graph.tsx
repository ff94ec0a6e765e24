import dagre from '@dagrejs/dagre';
import { Background, Controls, type Edge, MarkerType, type Node, Position, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';

export interface LineageGraphNode {
  id: string;
  kind: 'model' | 'external-model' | 'run' | 'dataset' | 'evaluation';
  label: string;
  modelId: string | null;
}
export interface LineageGraphEdge {
  id: string;
  source: string;
  target: string;
  label: string | null;
}

const NODE_W = 200;
const NODE_H = 44;
const KIND_CLASS: Record<LineageGraphNode['kind'], string> = {
  model: 'lineage-model',
  'external-model': 'lineage-external',
  run: 'lineage-run',
  dataset: 'lineage-dataset',
  evaluation: 'lineage-evaluation',
};

/**
 * A lineage graph: plain nodes and edges in, laid out top-down by dagre (ancestors above),
 * drawn with @xyflow/react. Model nodes are clickable through `onOpenModel`.
 */
export function LineageGraph({
  nodes,
  edges,
  focusId,
  onOpenModel,
}: {
  nodes: LineageGraphNode[];
  edges: LineageGraphEdge[];
  focusId?: string;
  onOpenModel?: (modelId: string) => void;
}) {
  const laid = useMemo(() => layout(nodes, edges, focusId), [nodes, edges, focusId]);
  return (
    <div className="lineage-graph" style={{ height: 460 }} data-testid="lineage-graph">
      <ReactFlow
        nodes={laid.nodes}
        edges={laid.edges}
        fitView
        nodesConnectable={false}
        nodesDraggable={false}
        proOptions={{ hideAttribution: true }}
        onNodeClick={(_, node) => {
          const original = nodes.find((n) => n.id === node.id);
          if (original?.modelId && onOpenModel) onOpenModel(original.modelId);
        }}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

function layout(
  nodes: LineageGraphNode[],
  edges: LineageGraphEdge[],
  focusId?: string,
): { nodes: Node[]; edges: Edge[] } {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'BT', nodesep: 30, ranksep: 60 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: NODE_W, height: NODE_H });
  for (const e of edges) g.setEdge(e.source, e.target);
  dagre.layout(g);
  return {
    nodes: nodes.map((n) => {
      const p = g.node(n.id);
      return {
        id: n.id,
        position: { x: (p?.x ?? 0) - NODE_W / 2, y: (p?.y ?? 0) - NODE_H / 2 },
        data: { label: n.label },
        className: `lineage-node ${KIND_CLASS[n.kind]}${n.id === focusId ? ' lineage-focus' : ''}${n.modelId ? ' lineage-clickable' : ''}`,
        style: { width: NODE_W },
        // Edges run from a model up to what it came from (ancestors are drawn above).
        sourcePosition: Position.Top,
        targetPosition: Position.Bottom,
        ariaLabel: `${n.kind} ${n.label}`,
      };
    }),
    edges: edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      label: e.label ?? undefined,
      markerEnd: { type: MarkerType.ArrowClosed },
    })),
  };
}
