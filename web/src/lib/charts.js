// The parts of ECharts the dashboards use, so the chunk stays small.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart, RadarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, AriaComponent, TitleComponent, RadarComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, RadarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, TitleComponent, RadarComponent, CanvasRenderer]);

export const init = (el) => echarts.init(el);
