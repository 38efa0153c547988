import type { Framework } from '@app/contracts';
import { AppError } from '../../../common/app-error';
import { allocateSceneDurations, chooseFramework, countScenes, planSceneRoles } from './structure';

describe('planner structure', () => {
  describe('durations', () => {
    it.each([
      [15, 3],
      [16, 4],
      [30, 4],
      [35, 4],
      [36, 5],
      [60, 5],
    ])('should plan %i s as %i scenes', (duration, scenes) => {
      expect(countScenes(duration)).toBe(scenes);
    });

    it.each([
      [[1, 1, 1], 9, [3, 3, 3]],
      [[1, 1, 1], 60, [20, 20, 20]],
      [[0.8, 1.3, 1.0], 15, [4, 6, 5]],
      [[1, 1, 1, 1, 1], 100, [20, 20, 20, 20, 20]],
    ])('should allocate weights %j over %i s as %j', (weights, total, expected) => {
      expect(allocateSceneDurations(weights, total)).toEqual(expected);
    });

    it.each([8, 61, 30.5, Number.NaN])('should refuse to split %p s into 3 scenes', (total) => {
      expect(() => allocateSceneDurations([1, 1, 1], total)).toThrow(AppError);
    });
  });

  describe('roles', () => {
    it.each<[Framework, number, string[]]>([
      ['AIDA', 3, ['attention', 'desire', 'action']],
      ['AIDA', 4, ['attention', 'interest', 'desire', 'action']],
      ['AIDA', 5, ['attention', 'interest', 'desire', 'desire', 'action']],
      ['PAS', 3, ['problem', 'solution', 'cta']],
      ['PAS', 4, ['problem', 'agitate', 'solution', 'cta']],
      ['PAS', 5, ['problem', 'agitate', 'solution', 'solution', 'cta']],
      ['BAB', 3, ['before', 'after', 'cta']],
      ['BAB', 4, ['before', 'after', 'bridge', 'cta']],
      ['BAB', 5, ['before', 'after', 'bridge', 'bridge', 'cta']],
    ])('should give %s with %i scenes the roles %j', (framework, count, roles) => {
      expect(planSceneRoles(framework, count).map((s) => s.role)).toEqual(roles);
    });
  });

  describe('framework choice', () => {
    it.each<[string, Framework]>([
      ['Create a 30 second Instagram ad for luxury watches with elegant gold aesthetics', 'AIDA'],
      ['Launch video for our new headphones', 'AIDA'],
      ['Ad for a premium perfume', 'AIDA'],
      ['A 60 second YouTube ad for a project management app that saves teams 5 hours every week', 'PAS'],
      ['Tired of slow checkouts? Ad for a payment terminal', 'PAS'],
      ['Struggling to sleep? Try our weighted blanket', 'PAS'],
      ['Stop wasting money on takeout: meal kits', 'PAS'],
      ['A tool that fixes messy spreadsheets', 'PAS'],
      ['Before and after: a skincare transformation', 'BAB'],
      ['Upgrade your commute with an e-bike', 'BAB'],
      ['Launch video for a sustainable sneaker line made from recycled ocean plastic', 'BAB'],
      ['Switch to eco-friendly cleaning products', 'BAB'],
      ['Upgrade that saves you hours of pain', 'PAS'],
      ['为我们的新茶饮料制作广告', 'AIDA'],
    ])('should plan %j as %s', (prompt, framework) => {
      expect(chooseFramework(prompt)).toBe(framework);
    });
  });
});
