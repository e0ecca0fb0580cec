/**
 * chart.js, registered with only the pieces the result charts use (keeps the bundle small),
 * and the colours the charts share.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip);

export { Chart, type ChartConfiguration };

/** ε = 1 (pure exploration) warm orange through to ε = 0 (pure exploitation) blue. */
export function epsilonColour(epsilon: number, alpha = 1): string {
  const e = Math.min(1, Math.max(0, epsilon));
  return `hsla(${Math.round(25 + (1 - e) * 190)}, 75%, ${Math.round(42 - (1 - e) * 8)}%, ${alpha})`;
}

/** ε as the paper writes it: 1.0, 0.9, ..., 0.05. */
export function epsilonLabel(epsilon: number): string {
  return Number.isInteger(epsilon) ? epsilon.toFixed(1) : String(epsilon);
}

/** Every sampled net's accuracy by iteration, one series per ε (a search's charts, the strategy lab's). */
export function accuracyScatter(
  iterations: readonly { readonly iteration: number; readonly epsilon: number; readonly accuracy: number }[],
  epsilons: readonly number[],
  yTitle = 'validation accuracy (%)',
): ChartConfiguration {
  return {
    type: 'scatter',
    data: {
      datasets: epsilons.map((epsilon) => ({
        label: `ε ${epsilonLabel(epsilon)}`,
        data: iterations.filter((it) => it.epsilon === epsilon && it.iteration > 0).map((it) => ({ x: it.iteration, y: Math.round(it.accuracy * 1000) / 10 })),
        backgroundColor: epsilonColour(epsilon, 0.75),
        borderColor: epsilonColour(epsilon),
        pointRadius: iterations.length > 500 ? 1.5 : 3,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { type: 'linear', title: { display: true, text: 'iteration' } },
        y: { min: 0, max: 100, title: { display: true, text: yTitle } },
      },
    },
  };
}
