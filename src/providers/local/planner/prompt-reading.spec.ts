import { DEFAULT_CATEGORY } from './prompt-lexicon';
import {
  chooseColorGrade,
  detectPlatform,
  extractAudience,
  extractOffer,
  extractProduct,
} from './prompt-reading';

describe('prompt reading', () => {
  describe('offers', () => {
    it.each<[string, string | null]>([
      ['Flash sale: 50% OFF all sneakers', '50% off'],
      ['Save 20% on your first order', 'save 20%'],
      ['Up to 30% off winter jackets', 'up to 30% off'],
      ['Get 15 % discount on lattes', '15% discount'],
      ['Shoes made from 100% recycled plastic', null],
      ['Headphones now $10 off', '$10 off'],
      ['Save $25 on a new blender', 'save $25'],
      ['Free shipping on every order of tea', 'free shipping'],
      ['CRM with a 14-day free trial', '14-day free trial'],
      ['Half price pizza tonight', 'half price'],
      ['BOGO burgers this weekend', 'bogo'],
      ['Buy one get one free on burgers', 'buy one get one free'],
      ['Ad for our QR code 100% arabica coffee', null],
      ['Coffee, 100% arabica, code 100 for nothing', null],
      ['Scan the QR code ABC123 on the box', null],
      ['Get 20% more coffee in every bag', null],
      ['Use code SAVE20 at checkout for socks', 'code SAVE20'],
      ['An app that saves teams 5 hours every week', 'saves teams 5 hours every week'],
      ['A planner that saves you 30 minutes a day', 'saves you 30 minutes a day'],
      ['20% off and free shipping on candles', '20% off + free shipping'],
      ['A plain ad for candles', null],
    ])('should read the offer of %j as %j', (prompt, offer) => {
      expect(extractOffer(prompt).offer).toBe(offer);
    });
  });

  describe('product, audience, platform and grade', () => {
    it.each<[string, string]>([
      ['Create a 30 second Instagram ad for luxury watches with elegant gold aesthetics', 'Luxury Watch'],
      [
        "Square Facebook ad for a cozy neighborhood coffee shop's new pumpkin spice latte",
        'Pumpkin Spice Latte',
      ],
      [
        'A 60 second YouTube ad for a project management app that saves teams 5 hours every week',
        'Project Management App',
      ],
      ['Launch video for a sustainable sneaker line made from recycled ocean plastic', 'Sustainable Sneaker'],
      ['Promote the new iPhone cases for travelers', 'iPhone Case'],
      ['TikTok ad for sunglasses', 'Sunglasses'],
      ['Ad for berries', 'Berry'],
      ['Introducing ACME rocket boots', 'ACME Rocket Boot'],
      ["Promote O'Reilly's new book on escaping", "O'Reilly's Book"],
      ['TikTok ad for 🍕 pizza 🔥 with extra cheese', 'Pizza'],
      ['Upgrade your commute with an e-bike', 'E-bike'],
      ['Before and after: a skincare transformation', 'Skincare'],
      ['Anuncio para zapatillas', 'Zapatilla'],
    ])('should read the product of %j as %j', (prompt, name) => {
      expect(extractProduct(prompt).name).toBe(name);
    });

    it.each<[string, string]>([
      ['Ad for sneakers for young urban runners', 'young urban runners'],
      ['An app that saves teams 5 hours', 'teams'],
      ['Stroller ad targeting new parents', 'new parents'],
      ['Ad for a lamp', DEFAULT_CATEGORY.defaultAudience],
      ['LinkedIn ad for a recruiting platform for HR managers', 'HR managers'],
    ])('should read the audience of %j as %j', (prompt, audience) => {
      expect(extractAudience(prompt, DEFAULT_CATEGORY)).toBe(audience);
    });

    it.each<[string, string | null]>([
      ['Create an Instagram ad', 'instagram'],
      ['A TikTok video', 'tiktok'],
      ['YouTube pre-roll then Facebook', 'youtube'],
      ['A LinkedIn post for recruiters', 'linkedin'],
      ['Vertical Stories ad', 'stories'],
      ['A plain ad', null],
    ])('should read the platform of %j as %j', (prompt, platform) => {
      expect(detectPlatform(prompt)).toBe(platform);
    });

    it.each<[string, string, string]>([
      ['luxury gold watches', '', 'luxury'],
      ['cozy coffee shop', '', 'warm'],
      ['ad for a project tool', 'modern, clean', 'cool'],
      ['ocean-inspired swimwear', '', 'cool'],
      ['ad for socks', '', 'neutral'],
    ])('should grade %j (style %j) as %s', (prompt, style, grade) => {
      expect(chooseColorGrade(prompt, style)).toBe(grade);
    });
  });
});
