import { createRouter, createWebHistory } from 'vue-router';
import { session, loadMe, hasRole, dropSession } from './lib/session.js';
import { onUnauthorized } from './lib/api.js';
import Home from './views/public/Home.vue';

// Staff pages are loaded on demand, so the public portal's first load stays small.
const STAFF = ['clerk', 'handler', 'approver', 'supervisor', 'township_admin', 'county_admin', 'auditor'];

// The roles with STATS_READ (GET /api/v1/stats/cases).
export const STATS = ['supervisor', 'county_admin', 'evaluator', 'auditor', 'township_admin'];
// Warnings, supervision records and rectifications: supervision and the supervised units.
export const SUPERVISED = ['handler', 'approver', 'supervisor', 'county_admin', 'township_admin', 'auditor'];

const routes = [
  { path: '/', name: 'home', component: Home, meta: { title: '首页' } },
  { path: '/guide', name: 'guide', component: () => import('./views/public/GuideSearch.vue'), meta: { title: '办事指南' } },
  { path: '/guide/:id(\\d+)', name: 'item', component: () => import('./views/public/ItemPage.vue'), meta: { title: '办事指南' } },
  // The receipt's QR code encodes /progress?case_no=…&code=… (src/api/case_files.c).
  { path: '/progress', name: 'progress', component: () => import('./views/public/Progress.vue'), meta: { title: '办件进度查询' } },
  { path: '/demands', name: 'demands', component: () => import('./views/public/Demands.vue'), meta: { title: '我要反映' } },
  { path: '/disclosure', name: 'disclosure', component: () => import('./views/public/Disclosure.vue'), meta: { title: '政务公开' } },
  { path: '/disclosure/:id(\\d+)', name: 'article', component: () => import('./views/public/Article.vue'), meta: { title: '政务公开' } },
  { path: '/login', name: 'login', component: () => import('./views/Login.vue'), meta: { title: '工作人员登录' } },
  { path: '/apply/:id(\\d+)', name: 'apply', component: () => import('./views/public/Apply.vue'), meta: { title: '网上申请', roles: ['citizen'] } },
  { path: '/my', name: 'my', component: () => import('./views/public/MyCases.vue'), meta: { title: '我的办件', roles: ['citizen'] } },
  { path: '/desk', name: 'desk', component: () => import('./views/desk/Intake.vue'), meta: { title: '综合受理台', roles: ['clerk'] } },
  { path: '/desk/pickup', name: 'pickup', component: () => import('./views/desk/Pickup.vue'), meta: { title: '出件登记', roles: ['clerk'] } },
  { path: '/office', name: 'queue', component: () => import('./views/office/Queue.vue'), meta: { title: '办件队列', roles: STAFF } },
  { path: '/office/cases/:caseNo', name: 'case', component: () => import('./views/office/CaseDetail.vue'), meta: { title: '办件详情', roles: STAFF } },
  { path: '/supervision', name: 'supervision', component: () => import('./views/supervision/Warnings.vue'), meta: { title: '预警监督', roles: SUPERVISED } },
  { path: '/screen', name: 'screen', component: () => import('./views/supervision/Screen.vue'), meta: { title: '数据大屏', roles: ['supervisor', 'county_admin', 'township_admin', 'auditor'] } },
  { path: '/participation', name: 'campaigns', component: () => import('./views/public/Campaigns.vue'), meta: { title: '建言献策' } },
  { path: '/participation/hearings', name: 'hearings', component: () => import('./views/public/Hearings.vue'), meta: { title: '听证会报名' } },
  { path: '/supervision/stats', name: 'stats', component: () => import('./views/supervision/Stats.vue'), meta: { title: '办件统计', roles: STATS } },
  { path: '/:rest(.*)*', name: 'notfound', component: () => import('./views/NotFound.vue'), meta: { title: '页面不存在' } },
];

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

// Where a user lands after logging in: their own work first.
export function homeFor(user) {
  const roles = (user && user.roles) || [];
  if (roles.includes('clerk')) return { name: 'desk' };
  if (roles.some((r) => ['handler', 'approver', 'auditor'].includes(r))) return { name: 'queue' };
  if (roles.some((r) => ['supervisor', 'county_admin', 'township_admin'].includes(r))) return { name: 'supervision' };
  if (roles.includes('evaluator')) return { name: 'stats' };
  if (roles.includes('citizen')) return { name: 'my' };
  return { name: 'home' };
}

router.beforeEach(async (to) => {
  if (!session.checked) await loadMe();
  const need = to.meta.roles;
  if (!need) return true;
  if (!session.user) return { name: 'login', query: { redirect: to.fullPath } };
  if (!hasRole(...need)) return { name: 'notfound', params: { rest: to.path.slice(1).split('/') }, query: { denied: '1' } };
  return true;
});

router.afterEach((to) => {
  document.title = `${to.meta.title || '便民服务平台'} · 便民服务平台`;
});

// A 401 on any call while logged in: the session expired or was ended elsewhere.
onUnauthorized(() => {
  const wasIn = !!session.user;
  dropSession();
  const cur = router.currentRoute.value;
  if (wasIn) session.expired = true;
  if (cur.name !== 'login' && (wasIn || cur.meta.roles)) {
    router.replace({ name: 'login', query: { redirect: cur.fullPath, expired: wasIn ? '1' : undefined } });
  }
});
