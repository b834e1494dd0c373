"""Omnizon seed data: the catalogue, the signed-in shopper and the empty cart/order state.

``initial_state()`` returns a fresh dict on every call (the server deep-copies it anyway).
The product ids are the ones agisdk's official v2 scripts hard-code:
16 (PS5 DualSense controller), 91 (apron), 114 (sports ball pack), 159 (40-inch desk),
167/170 (neck pillows), 192/193 (gaming devices under $100), 212/215 (cooking pots).
Everything else is a realistic distractor.
"""

from __future__ import annotations

import copy

# (id, name, brand, category, price, list_price, rating, reviews, art, color, tags, bullets)
_P = [
    # --- Gaming ---------------------------------------------------------------------------
    ("16", "PlayStation DualSense Wireless Controller for PS5 - Midnight Black", "PlayStation", "Gaming",
     69.99, 74.99, 4.8, 48211, "controller", "#1f2937", "ps5 playstation controller gamepad gaming console",
     ["Haptic feedback and adaptive triggers", "Built-in microphone and headset jack", "USB-C rechargeable battery"]),
    ("17", "PlayStation DualSense Edge Wireless Controller for PS5", "PlayStation", "Gaming",
     199.99, None, 4.5, 9122, "controller", "#e5e7eb", "ps5 playstation controller gamepad gaming pro",
     ["Swappable stick caps and back buttons", "Custom control profiles", "Carrying case included"]),
    ("18", "Xbox Wireless Controller - Carbon Black", "Microsoft", "Gaming",
     49.99, 59.99, 4.7, 61230, "controller", "#374151", "xbox controller gamepad gaming",
     ["Textured grip", "Bluetooth for Windows and mobile", "Share button"]),
    ("194", "PDP Victrix Pro BFG Wireless Controller for PS5, Modular", "PDP", "Gaming",
     179.99, None, 4.2, 1830, "controller", "#6b7280", "ps5 playstation controller gamepad gaming esports",
     ["Modular stick and D-pad layout", "Four back buttons", "Officially licensed for PS5"]),
    ("190", "PlayStation 5 Console (Slim) - Disc Edition", "PlayStation", "Gaming",
     499.99, None, 4.8, 23871, "console", "#f3f4f6", "ps5 playstation console gaming",
     ["1TB SSD storage", "Ultra-high speed SSD", "Includes DualSense controller"]),
    ("191", "Nintendo Switch - OLED Model with White Joy-Con", "Nintendo", "Gaming",
     349.99, None, 4.8, 81002, "console", "#ef4444", "nintendo switch console gaming handheld",
     ["7-inch OLED screen", "64 GB internal storage", "Wide adjustable stand"]),
    ("192", "Logitech G435 LIGHTSPEED Wireless Gaming Headset", "Logitech G", "Gaming",
     49.99, 79.99, 4.3, 20410, "headset", "#60a5fa", "gaming headset wireless pc ps5",
     ["Lightweight 165 g design", "Dual beamforming mics", "18 hours of battery life"]),
    ("193", "Razer DeathAdder Essential Wired Gaming Mouse, 6400 DPI", "Razer", "Gaming",
     24.99, 29.99, 4.6, 74590, "mouse", "#10b981", "gaming mouse pc razer",
     ["6400 DPI optical sensor", "Ergonomic right-handed design", "5 programmable buttons"]),
    ("42", "KTC 24 inch 1500R Curved Gaming Monitor, 165Hz, 1080p", "KTC", "Gaming",
     119.99, 139.99, 4.4, 3120, "monitor", "#1e3a8a", "gaming monitor curved 24 inch display",
     ["165Hz refresh rate, 1ms response", "1500R curvature", "FreeSync and G-Sync compatible"]),
    # --- Headphones ------------------------------------------------------------------------
    ("30", "Sony WH-CH520 Wireless Headphones, Bluetooth On-Ear, Blue", "Sony", "Headphones",
     38.00, 59.99, 4.5, 15230, "headphones", "#3b82f6", "headphones headphone wireless bluetooth on-ear",
     ["Up to 50 hours of battery", "Quick charging", "Multipoint connection"]),
    ("31", "Soundcore by Anker Q20i Hybrid Active Noise Cancelling Headphones", "Soundcore", "Headphones",
     49.99, 59.99, 4.4, 41288, "headphones", "#111827", "headphones headphone noise cancelling over-ear",
     ["Hybrid active noise cancelling", "40 hours of playtime", "Hi-Res audio"]),
    ("32", "JBL Tune 510BT Wireless On-Ear Headphones, Purple", "JBL", "Headphones",
     29.95, 49.95, 4.5, 52811, "headphones", "#8b5cf6", "headphones headphone wireless on-ear",
     ["JBL Pure Bass sound", "40-hour battery", "Foldable design"]),
    ("33", "Sony WH-1000XM5 Wireless Noise Canceling Headphones, Silver", "Sony", "Headphones",
     348.00, 399.99, 4.6, 19874, "headphones", "#d1d5db", "headphones headphone noise canceling premium",
     ["Industry-leading noise cancellation", "30-hour battery", "Crystal clear calls"]),
    ("34", "Beats Studio Pro Wireless Bluetooth Noise Cancelling Headphones", "Beats", "Headphones",
     169.99, 349.99, 4.5, 12040, "headphones", "#b91c1c", "headphones headphone noise cancelling beats",
     ["Personalized spatial audio", "USB-C lossless audio", "40 hours of battery"]),
    ("36", "Koss KPH7 Lightweight Portable Wired Headphones", "Koss", "Headphones",
     12.99, None, 4.2, 8121, "headphones", "#f59e0b", "headphones headphone wired portable",
     ["Lightweight design", "Adjustable headband", "3.5 mm plug"]),
    ("37", "Apple AirPods Pro (2nd Generation) Wireless Earbuds, USB-C", "Apple", "Headphones",
     189.99, 249.00, 4.7, 98011, "earbuds", "#f9fafb", "earbuds wireless noise cancelling apple",
     ["Active noise cancellation", "Adaptive audio", "MagSafe charging case"]),
    # --- Electronics / phones -----------------------------------------------------------------
    ("15", "Marshall Emberton II Portable Bluetooth Speaker, Black & Brass", "Marshall", "Electronics",
     169.99, None, 4.7, 6120, "speaker", "#292524", "speaker bluetooth portable",
     ["30+ hours of playtime", "IP67 dust and water resistant", "True stereophonic sound"]),
    ("5", "Omni Echo Dot (5th Gen) Smart Speaker with Alexa, Charcoal", "Omnizon", "Electronics",
     49.99, None, 4.7, 120330, "speaker", "#334155", "smart speaker alexa echo",
     ["Improved audio", "Smart home hub", "Tap to snooze alarms"]),
    ("40", "VILVA Portable Monitor for Laptop, 15.6 inch FHD 1080P", "VILVA", "Electronics",
     89.99, 129.99, 4.3, 2210, "monitor", "#0f172a", "laptop portable monitor display usb-c",
     ["15.6 inch IPS screen", "USB-C and mini HDMI", "Smart cover stand"]),
    ("21", "Apple iPhone 15, 128 GB, Black - Unlocked", "Apple", "Smartphones",
     799.00, None, 4.6, 7310, "phone", "#111827", "smartphone phone iphone apple",
     ["Dynamic Island", "48MP main camera", "USB-C"]),
    ("22", "SAMSUNG Galaxy S24 Ultra, 256GB, Titanium Gray - Unlocked", "SAMSUNG", "Smartphones",
     1299.99, None, 4.6, 5127, "phone", "#6b7280", "smartphone phone samsung galaxy android",
     ["200MP camera", "Built-in S Pen", "Galaxy AI"]),
    ("23", "SAMSUNG Galaxy Z Fold 6, 256GB, Silver Shadow - Unlocked", "SAMSUNG", "Smartphones",
     1899.99, None, 4.3, 1208, "phone", "#9ca3af", "smartphone phone samsung galaxy fold android",
     ["7.6 inch foldable display", "Snapdragon 8 Gen 3", "IPX8 water resistance"]),
    ("61", "Michael Kors Oversized Slim Runway Men's Watch, Gold-Tone", "Michael Kors", "Fashion",
     129.00, 250.00, 4.6, 10032, "watch", "#ca8a04", "watch men fashion gold",
     ["44 mm case", "Stainless steel bracelet", "Water resistant to 50 m"]),
    ("62", "Levi's Men's 505 Regular Fit Jeans, Dark Stonewash", "Levi's", "Fashion",
     39.90, 69.50, 4.5, 40211, "jeans", "#1e40af", "jeans men denim fashion pants",
     ["Regular fit through seat and thigh", "Straight leg", "Zip fly"]),
    # --- Kitchen ---------------------------------------------------------------------------
    ("91", "Hudson Durable Goods Professional Grade Chef Apron for Kitchen, Black", "Hudson Durable Goods",
     "Kitchen", 19.99, 24.99, 4.6, 21871, "apron", "#111827", "apron kitchen chef cooking bbq",
     ["Adjustable neck strap", "Two large pockets and towel loop", "Water-resistant canvas"]),
    ("92", "Utopia Kitchen Cotton Bib Aprons, 2 Pack, Grey", "Utopia Kitchen", "Kitchen",
     15.99, None, 4.3, 9210, "apron", "#9ca3af", "apron kitchen cooking cotton",
     ["Pack of 2", "Adjustable neck strap", "Machine washable"]),
    ("212", "Cuisinart Chef's Classic 8-Quart Stainless Steel Stockpot with Cover", "Cuisinart", "Kitchen",
     39.95, 64.00, 4.7, 13220, "stockpot", "#9ca3af", "pot stockpot cooking pot soup stock stainless cookware",
     ["Mirror-finish stainless steel", "Aluminum encapsulated base", "Tight-fitting cover"]),
    ("215", "Lodge 6 Quart Enameled Cast Iron Dutch Oven Cooking Pot with Lid, Red", "Lodge", "Kitchen",
     79.90, 119.90, 4.7, 33012, "dutchoven", "#b91c1c", "pot dutch oven cooking pot cast iron cookware",
     ["Superior heat retention", "Porcelain enamel interior", "Oven safe to 500 degrees F"]),
    ("213", "T-fal Ultimate Hard Anodized Nonstick Fry Pan, 12 Inch", "T-fal", "Kitchen",
     34.99, 44.99, 4.6, 48102, "pan", "#1f2937", "pan frying skillet nonstick cookware cooking",
     ["Thermo-Spot heat indicator", "Riveted silicone handle", "Dishwasher safe"]),
    ("214", "OXO Brew Classic Tea Kettle, 2 Qt, Brushed Stainless", "OXO", "Kitchen",
     39.99, None, 4.5, 7721, "kettle", "#d1d5db", "tea kettle stovetop",
     ["Whistles when water boils", "Flip-up spout cap", "Comfortable handle"]),
    ("216", "Ninja AF101 Air Fryer, 4 Quart, Grey", "Ninja", "Kitchen",
     89.99, 129.99, 4.8, 64120, "appliance", "#4b5563", "air fryer kitchen appliance cooking",
     ["Wide temperature range", "Nonstick basket", "Dehydrate and reheat"]),
    ("51", "De'Longhi Magnifica Evo Automatic Espresso Machine", "De'Longhi", "Kitchen",
     699.95, 899.95, 4.4, 2341, "appliance", "#111827", "automatic espresso machine coffee",
     ["Built-in conical burr grinder", "7 one-touch recipes", "LatteCrema milk system"]),
    ("52", "Breville Bambino Plus Automatic Espresso Machine, Brushed Steel", "Breville", "Kitchen",
     499.95, None, 4.5, 4120, "appliance", "#9ca3af", "automatic espresso machine coffee",
     ["3 second heat up", "Automatic microfoam milk texturing", "54 mm portafilter"]),
    ("220", "Stainless Steel Silverware Set, 20-Piece Flatware Set, Service for 4", "Hiware", "Kitchen",
     24.99, 32.99, 4.7, 28744, "silverware", "#cbd5e1", "silverware flatware utensils spoons forks knives set",
     ["4 dinner forks, 4 salad forks, 4 dinner knives, 4 dinner spoons, 4 teaspoons",
      "Mirror polished 18/0 stainless steel", "Dishwasher safe"]),
    ("221", "Corelle Vitrelle 18-Piece Dinnerware Set, Service for 6, Winter Frost White", "Corelle", "Kitchen",
     59.99, 79.99, 4.7, 36122, "plates", "#f3f4f6", "dinnerware plates bowls dishes set",
     ["6 dinner plates, 6 lunch plates, 6 bowls", "Chip and break resistant", "Microwave safe"]),
    ("217", "Bellemain Micro-Perforated Stainless Steel Colander, 5 Quart", "Bellemain", "Kitchen",
     22.99, None, 4.8, 19002, "bowl", "#e5e7eb", "colander strainer kitchen",
     ["Micro-perforated for small grains", "Self-draining base", "Sturdy handles"]),
    # --- Home ------------------------------------------------------------------------------
    ("167", "Cabeau Evolution S3 Memory Foam Travel Neck Pillow, Jet Black", "Cabeau", "Home",
     39.99, None, 4.4, 30788, "neckpillow", "#111827", "neck pillow travel memory foam pain support",
     ["Raised side supports", "Adjustable clasp", "Includes travel bag"]),
    ("170", "Cervical Memory Foam Neck Pillow for Neck Pain Relief, Contour Sleeping Pillow", "Elviros", "Home",
     42.99, 59.99, 4.3, 24109, "contourpillow", "#e5e7eb", "neck pillow cervical contour memory foam pain",
     ["Ergonomic contour for neck support", "Two heights in one pillow", "Removable washable cover"]),
    ("168", "Coop Home Goods Original Adjustable Bed Pillow, Queen", "Coop Home Goods", "Home",
     64.99, None, 4.4, 81233, "pillow", "#f9fafb", "bed pillow sleeping queen",
     ["Adjustable shredded memory foam fill", "Hypoallergenic", "Machine washable cover"]),
    ("169", "Lumbar Support Pillow for Office Chair, Memory Foam Back Cushion", "Everlasting Comfort", "Home",
     29.99, 39.99, 4.3, 50320, "cushion", "#374151", "lumbar pillow back cushion office chair support",
     ["Relieves lower back pressure", "Adjustable strap", "Breathable mesh cover"]),
    ("230", "ZINUS Shawn 14 Inch Metal Platform Bed Frame, Queen", "ZINUS", "Home",
     119.00, 159.00, 4.5, 62133, "bed", "#1f2937", "bed frame queen metal platform bedroom",
     ["No box spring needed", "Steel slat support", "Extra under-bed storage"]),
    ("231", "Novilla 12 Inch Metal Platform Bed Frame, Full", "Novilla", "Home",
     79.99, None, 4.5, 12801, "bed", "#4b5563", "bed frame full metal platform bedroom",
     ["Heavy-duty steel slats", "Noise-free design", "Easy assembly"]),
    ("232", "ZINUS 12 Inch Green Tea Memory Foam Mattress, Queen", "ZINUS", "Home",
     259.00, 329.00, 4.5, 154220, "mattress", "#a7f3d0", "mattress queen memory foam bedroom",
     ["Green tea infused memory foam", "Pressure relieving", "Mattress in a box"]),
    ("233", "Utopia Bedding Queen Sheet Set, 4 Piece, Brushed Microfiber, Grey", "Utopia Bedding", "Home",
     25.99, None, 4.5, 210331, "sheets", "#9ca3af", "sheets queen bedding bedroom",
     ["Flat sheet, fitted sheet, 2 pillowcases", "Deep pockets", "Wrinkle resistant"]),
    # --- Office ----------------------------------------------------------------------------
    ("159", "Coavas 40 Inch Computer Desk, Small Writing Desk for Home Office, Rustic Brown", "Coavas",
     "Office", 59.99, 79.99, 4.5, 8122, "desk", "#92400e", "desk 40 inch computer writing office table",
     ["40 x 19.6 inch desktop", "Stable metal frame", "Easy assembly"]),
    ("158", "SHW 55 Inch Home Office Computer Desk, Espresso", "SHW", "Office",
     99.99, 119.99, 4.4, 11010, "desk", "#3f2a1d", "desk 55 inch computer office table large",
     ["55 x 23.6 inch desktop", "Metal legs", "Cable management hole"]),
    ("157", "Sweetcrispy 32 Inch Small Computer Desk with Storage Bag, White", "Sweetcrispy", "Office",
     39.99, None, 4.3, 6130, "desk", "#e5e7eb", "desk 32 inch computer small office table",
     ["32 x 16 inch desktop", "Side storage bag", "Headphone hook"]),
    ("160", "SIHOO M18 Ergonomic Office Chair, High Back Mesh Desk Chair", "SIHOO", "Office",
     149.99, 189.99, 4.3, 17240, "chair", "#111827", "office chair ergonomic desk chair mesh",
     ["Adjustable lumbar support", "Breathable mesh back", "Height adjustable armrests"]),
    ("161", "Amazon Basics Low-Back Office Desk Chair with Armrests, Black", "Amazon Basics", "Office",
     64.99, None, 4.4, 48770, "chair", "#1f2937", "office chair desk chair computer",
     ["Swivel 360 degrees", "Pneumatic seat height adjustment", "Supports up to 275 lb"]),
    ("162", "Monitor Stand Riser with Drawer, Desk Organizer", "SimpleHouseware", "Office",
     19.99, 24.99, 4.6, 33190, "box", "#6b7280", "monitor stand riser desk organizer",
     ["Raises monitor to eye level", "Storage drawer", "Mesh metal"]),
    # --- Sports ----------------------------------------------------------------------------
    ("114", "Franklin Sports Kids Sports Ball Set, 6 Pack - Soccer, Basketball, Football, Volleyball & More",
     "Franklin Sports", "Sports", 34.99, 44.99, 4.6, 5120, "balls", "#f97316",
     "sports balls pack set football basketball soccer ball volleyball",
     ["6 balls in one mesh carry bag", "Pump included", "Great for backyard games"]),
    ("115", "Spalding React TF-250 Indoor-Outdoor Basketball, Size 7", "Spalding", "Sports",
     29.99, None, 4.7, 21300, "basketball", "#ea580c", "basketball ball sports",
     ["Composite leather cover", "Indoor and outdoor play", "Official size 7"]),
    ("116", "Wilson NFL Super Grip Official Football", "Wilson", "Sports",
     21.99, 24.99, 4.7, 30118, "football", "#7c2d12", "football ball sports nfl",
     ["Composite leather", "Official size", "Super grip"]),
    ("117", "Franklin Sports Ball Pump with 5 Needles", "Franklin Sports", "Sports",
     9.99, None, 4.5, 9910, "box", "#2563eb", "ball pump needles sports",
     ["Dual-action pump", "Needles included", "Works with all inflatable balls"]),
    ("118", "Under Armour Undeniable 5.0 Duffle Bag, Medium", "Under Armour", "Sports",
     49.99, 55.00, 4.8, 18210, "bag", "#111827", "duffle bag gym sports",
     ["Water-resistant finish", "Vented shoe pocket", "Padded shoulder strap"]),
]

CATEGORIES = ["Gaming", "Headphones", "Electronics", "Smartphones", "Kitchen", "Home", "Office", "Sports",
              "Fashion"]


def _num(x):
    """Whole floats become ints: the browser's JSON turns 348.0 into 348, which would read as a change."""
    return int(x) if isinstance(x, float) and x.is_integer() else x


def products() -> list[dict]:
    out = []
    for (pid, name, brand, cat, price, list_price, rating, reviews, art, color, tags, bullets) in _P:
        out.append({
            "id": pid, "name": name, "brand": brand, "category": cat, "price": _num(price),
            "listPrice": _num(list_price), "rating": _num(rating), "reviews": reviews, "art": art, "color": color,
            "tags": tags, "bullets": list(bullets), "inStock": True,
        })
    return out


def _user() -> dict:
    return {
        "name": "Jane Doe",
        "email": "jane.doe@example.com",
        "addresses": [
            {"id": "addr-1", "fullName": "Jane Doe", "street": "1255 Market St, Apt 4B",
             "city": "San Francisco", "state": "CA", "zip": "94103", "country": "United States",
             "phone": "415-555-0134"},
            {"id": "addr-2", "fullName": "Jane Doe", "street": "88 Colin P Kelly Jr St",
             "city": "San Francisco", "state": "CA", "zip": "94107", "country": "United States",
             "phone": "415-555-0199"},
        ],
        "paymentMethods": [
            {"id": "card-1", "type": "Visa", "last4": "1234", "cardName": "Jane Doe", "month": "8", "year": "2027"},
            {"id": "card-2", "type": "Mastercard", "last4": "9876", "cardName": "Jane Doe", "month": "3",
             "year": "2026"},
        ],
        "selectedAddressId": "addr-1",
        "selectedPaymentId": "card-1",
    }


def initial_state(task_name: str | None = None) -> dict:
    """A fresh Omnizon state (the same for every task: the goals only need the catalogue)."""
    state = {
        "router": {"location": {"pathname": "/", "search": "", "hash": ""}},
        "filter": {"searchQuery": "", "searchInputValue": "", "category": "All", "minPrice": None,
                   "maxPrice": None, "sortBy": "featured"},
        "products": products(),
        "cart": {"cartItems": [], "buyNow": None},
        "order": {"orders": [], "selectedDelivery": "oneday"},
        "user": _user(),
    }
    return copy.deepcopy(state)
