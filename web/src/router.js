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

// The administrators (src/core/access.c: ITEM_WRITE, ORG_WRITE, USER_ADMIN, DISCLOSURE_WRITE).
export const ADMINS = ['county_admin', 'township_admin'];
// The roles with EVAL_READ (township administrators see their own township's results).
export const EVAL = ['evaluator', 'county_admin', 'supervisor', 'township_admin'];

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
  // Administration (issue 7, part 5): one layout with its own section menu.
  {
    path: '/admin',
    component: () => import('./views/admin/AdminLayout.vue'),
    meta: { title: '系统管理', roles: ADMINS },
    children: [
      { path: '', redirect: { name: 'admin-catalog' } },
      { path: 'catalog', name: 'admin-catalog', component: () => import('./views/admin/Catalog.vue'), meta: { title: '事项目录管理' } },
      { path: 'catalog/new', name: 'admin-item-new', component: () => import('./views/admin/ItemEditor.vue'), meta: { title: '新建事项' } },
      { path: 'catalog/:id(\\d+)', name: 'admin-item', component: () => import('./views/admin/ItemEditor.vue'), meta: { title: '编辑事项' } },
      { path: 'powers', name: 'admin-powers', component: () => import('./views/admin/Powers.vue'), meta: { title: '赋权事项与权责清单' } },
      { path: 'org', name: 'admin-org', component: () => import('./views/admin/OrgUsers.vue'), meta: { title: '机构与用户' } },
      { path: 'calendar', name: 'admin-calendar', component: () => import('./views/admin/Calendar.vue'), meta: { title: '节假日与调休' } },
      { path: 'disclosure', name: 'admin-disclosure', component: () => import('./views/admin/Publications.vue'), meta: { title: '政务公开发布' } },
    ],
  },
  // Township performance evaluation (绩效考核): staff pages, and the public results (考核公示).
  { path: '/evaluation', name: 'eval-periods', component: () => import('./views/evaluation/Periods.vue'), meta: { title: '绩效考核', roles: EVAL } },
  { path: '/evaluation/plans', name: 'eval-plans', component: () => import('./views/evaluation/Plans.vue'), meta: { title: '考核指标体系', roles: EVAL } },
  { path: '/evaluation/periods/:id(\\d+)', name: 'eval-period', component: () => import('./views/evaluation/Period.vue'), meta: { title: '考核期', roles: EVAL } },
  { path: '/evaluation/periods/:id(\\d+)/townships/:tid(\\d+)', name: 'eval-township', component: () => import('./views/evaluation/Township.vue'), meta: { title: '乡镇考核明细', roles: EVAL } },
  { path: '/assessment', name: 'assessment', component: () => import('./views/public/Assessment.vue'), meta: { title: '考核公示' } },
  { path: '/assessment/:id(\\d+)', name: 'assessment-period', component: () => import('./views/public/Assessment.vue'), meta: { title: '考核公示' } },
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
  if (roles.includes('evaluator')) return { name: 'eval-periods' };
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
