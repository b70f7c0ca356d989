import type { Instance } from '../instances/instance.model.js';
import type { ProjectDependency } from './project-dependency.model.js';
import type { Project } from './project.model.js';

export interface GraphNode {
  id: string;
  type: 'project' | 'instance';
  data: Record<string, unknown>;
  position: { x: number; y: number };
}
export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  type: 'assignment' | 'dependency';
  data?: Record<string, unknown>;
}
export interface ProjectGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const COLUMN = { project: 0, instance: 400 };
const ROW_HEIGHT = 120;

/** Pure: the project/instance graph; nodes without a saved position get a simple column layout. */
export function buildGraph(projects: Project[], instances: Instance[], dependencies: ProjectDependency[]): ProjectGraph {
  const nodes: GraphNode[] = [
    ...projects.map((p, i) => ({
      id: p.id,
      type: 'project' as const,
      data: { name: p.name, repository_url: p.repositoryUrl, terraform_path: p.terraformPath, workspace: p.workspace, instance_id: p.instanceId },
      position: { x: p.positionX ?? COLUMN.project, y: p.positionY ?? i * ROW_HEIGHT },
    })),
    ...instances.map((inst, i) => ({
      id: inst.id,
      type: 'instance' as const,
      data: { name: inst.name, status: inst.status, version: inst.version },
      position: { x: inst.positionX ?? COLUMN.instance, y: inst.positionY ?? i * ROW_HEIGHT },
    })),
  ];
  const edges: GraphEdge[] = [
    ...projects
      .filter((p) => p.instanceId)
      .map((p) => ({ id: `assignment:${p.id}`, source: p.id, target: p.instanceId!, type: 'assignment' as const })),
    ...dependencies.map((d) => ({
      id: d.id,
      source: d.dependsOnProjectId,
      target: d.projectId,
      type: 'dependency' as const,
      data: { output_mapping: d.outputMapping },
    })),
  ];
  return { nodes, edges };
}
