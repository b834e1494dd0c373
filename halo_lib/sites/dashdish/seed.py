"""DashDish seed data: San Francisco stores and their menus; today is Tuesday July 15, 2025, 11:30 am (US Pacific).

State shape (top-level keys never change; the app POSTs the whole state back)::

    {"restaurants": [store, ...],                 # the catalogue (read-only for the app)
     "cart": {"cartItems": [cart item, ...],      # the cart being filled (one store at a time)
              "foodOrders": {orderId: order, ...}},  # every PLACED order (empty at the start)
     "checkout": {"shippingOption": "Delivery" | "Pickup", "deliveryOption": "Standard" | "Express",
                  "addressIndex": 0, "tip": 3.0},  # the checkout page's choices
     "user": {"name", "phone", "email", "addresses": [{label, street, city, zip, instructions}], "card": {...}},
     "ui": {"route": "/"}}

A cart item: ``{id, itemId, name, description, restaurantId, restaurantName, basePrice, price (one unit with its
options), quantity, size (the chosen "Size" or "" ), options: [{group, choice, price}], totalPrice}``.
An order: ``{orderId ("DD-…"), restaurantId, restaurantName, cartItems: [cart item, ...], checkoutDetails:
{shipping: {shippingOption, deliveryOption, address, phone, estimatedTime}, payment: {method, last4},
charges: {subtotal, deliveryFee, expressFee, serviceFee, estimatedTax, dasherTip, totalAmount}}, status, createdAt}``.

Why this shape: the 11 official scripts (agisdk v2 ``eval_dashdish_*.py``) all look for placed orders at
``initialfinaldiff.added.cart.foodOrders`` and/or ``differences.foodOrders.added`` (a placed order is a new key of
``cart.foodOrders``, so the deep diff shows it whole under ``added``; ``differences.py`` lists it again), and
1, 3, 10 and 11 also walk the whole JSON for any object with a ``cartItems`` list and a ``checkoutDetails`` object:
only a placed order has both (the live cart never holds ``checkoutDetails``). They read the items' ``name``,
``description``, ``restaurantName``, ``quantity`` and ``size`` (17), ``checkoutDetails.charges.totalAmount`` (a
number), ``checkoutDetails.shipping.shippingOption`` ("Delivery"/"Pickup", 17 and 26) and ``.deliveryOption``
("Express", 17), and a non-empty string ``orderId`` (26). Where scripts are looser than their goals (10 accepts a
total up to $20 for "under $15"; 17's comment says Express is optional but its code requires it) the oracles meet
the goal's words and the code both.

Charges (``charges``, repeated exactly by ``static/app.js``): subtotal = sum of price x quantity; delivery: the
store's delivery fee, Express adds $2.99, a service fee of 10% of the subtotal (at least $1.50) and the Dasher tip;
pickup: no delivery fee, service fee or tip; estimated tax 8.75% of the subtotal; each rounded to cents.
"""

from __future__ import annotations

import re

NOW = "2025-07-15T11:30:00"
TODAY = "2025-07-15"
TAX_RATE = 0.0875
SERVICE_RATE = 0.10
MIN_SERVICE_FEE = 1.50
EXPRESS_FEE = 2.99
TIPS = (0.0, 2.0, 3.0, 5.0)
DEFAULT_TIP = 3.0

# Option groups: name -> (group name, required, single choice, ((choice, extra price), ...)). A required single group
# preselects its first choice.
OPTIONS = {
    "wing_size": ("Size", True, True, (("6 pc Wings", 0), ("10 pc Wings", 5.5), ("15 pc Wings", 11.0))),
    "dip": ("Dips", False, False, (("Ranch", 0.99), ("Blue Cheese", 0.99), ("Honey Mustard", 0.99))),
    "pizza_size": ("Size", True, True, (('Small 10"', 0), ('Medium 12"', 3.0), ('Large 14"', 6.0))),
    "toppings": ("Extra toppings", False, False, (("Extra cheese", 1.5), ("Mushrooms", 1.0), ("Jalapeños", 1.0),
                                                  ("Pepperoni", 1.5))),
    "sub_size": ("Size", True, True, (('6"', 0), ("Footlong", 4.0))),
    "addons": ("Add-ons", False, False, (("Bacon", 1.5), ("Avocado", 1.75), ("Extra cheese", 0.75))),
    "protein": ("Protein", True, True, (("Chicken", 0), ("Beef", 1.5), ("Tofu", 0), ("Shrimp", 2.5))),
    "spice": ("Spice level", True, True, (("Mild", 0), ("Medium", 0), ("Hot", 0))),
    "fries_size": ("Size", True, True, (("Regular", 0), ("Large", 1.0))),
    "drink_size": ("Size", True, True, (("Small", 0), ("Medium", 0.5), ("Large", 1.0))),
    "tortilla": ("Tortilla", True, True, (("Corn", 0), ("Flour", 0))),
    "extras": ("Extras", False, False, (("Guacamole", 1.5), ("Sour cream", 0.5), ("Queso", 1.25))),
    "sides": ("Add a side", False, True, (("Side salad", 2.5), ("Soup of the day", 3.0))),
}

# name, categories, rating, reviews, minutes, delivery fee, distance, price level, street, menu sections
# each menu section: (section, ((item, price, description, (option keys...)), ...))
W = ("wing_size", "dip")
STORES = (
    ("Wingstop", ("Wings", "Chicken"), 4.6, 2140, 25, 0.99, 1.4, "$", "1450 Fillmore St", (
        ("Classic Wings", (
            ("Lemon Pepper Wings", 8.99, "Bone-in wings tossed in zesty lemon pepper dry rub.", W),
            ("Original Hot Wings", 8.99, "Bone-in wings in the classic cayenne hot sauce.", W),
            ("Garlic Parmesan Wings", 8.99, "Bone-in wings with garlic butter and parmesan.", W),
            ("Mango Habanero Wings", 8.99, "Sweet mango heat with a habanero kick.", W),
            ("Hickory Smoked BBQ Wings", 8.99, "Smoky, sweet barbecue sauce.", W),
        )),
        ("Boneless", (
            ("Lemon Pepper Boneless Wings", 7.99, "Crispy boneless wings with lemon pepper rub.", W),
            ("Louisiana Rub Boneless Wings", 7.99, "Cajun dry rub with garlic.", W),
        )),
        ("Sides", (
            ("Seasoned Fries", 3.49, "Hand-cut fries with our signature seasoning.", ("fries_size",)),
            ("Cheese Fries", 4.99, "Seasoned fries topped with melted cheese.", ()),
            ("Veggie Sticks", 1.99, "Carrot and celery sticks.", ()),
            ("Fountain Drink", 2.49, "Your choice of soda.", ("drink_size",)),
        )),
    )),
    ("Taco Boys", ("Mexican", "Tacos"), 4.5, 980, 30, 1.99, 2.1, "$", "2288 Mission St", (
        ("Tacos", (
            ("Carne Asada Taco", 3.99, "Grilled steak, onion, cilantro, salsa verde.", ("tortilla", "extras")),
            ("Al Pastor Taco", 3.79, "Marinated pork with pineapple.", ("tortilla", "extras")),
            ("Pollo Asado Taco", 3.49, "Grilled chicken, pico de gallo.", ("tortilla", "extras")),
            ("Fish Taco", 4.29, "Beer-battered cod, cabbage slaw, chipotle crema.", ("tortilla", "extras")),
        )),
        ("Burritos & Bowls", (
            ("Super Burrito", 11.99, "Choice of meat, Mexican rice, beans, cheese, guacamole.", ("protein", "extras")),
            ("Veggie Burrito", 9.99, "Grilled peppers, rice, black beans, salsa.", ("extras",)),
            ("Burrito Bowl", 11.49, "Cilantro-lime rice, beans, fajita veggies, salsa.", ("protein", "extras")),
            ("Quesadilla", 8.99, "Flour tortilla with melted cheese and your protein.", ("protein",)),
        )),
        ("Sides", (
            ("Chips & Salsa", 3.49, "Fresh tortilla chips with house salsa.", ()),
            ("Chips & Guacamole", 5.49, "Fresh tortilla chips with guacamole.", ()),
            ("Horchata", 3.29, "Cinnamon rice drink.", ("drink_size",)),
        )),
    )),
    ("Noodle Theory", ("Noodles", "Asian", "Chinese"), 4.4, 612, 35, 2.49, 2.8, "$$", "3242 Scott St", (
        ("Noodles", (
            ("Garlic Noodles", 11.49, "Wok-tossed egg noodles with garlic butter and parmesan.", ("protein",)),
            ("Dan Dan Noodles", 12.99, "Sichuan noodles with spicy pork and peanuts.", ("spice",)),
            ("Beef Chow Fun", 14.49, "Wide rice noodles, beef, bean sprouts, scallions.", ()),
            ("Spicy Sesame Noodles", 10.99, "Cold noodles with sesame and chili oil.", ("spice",)),
        )),
        ("Small Plates", (
            ("Pork Potstickers", 7.99, "Six pan-fried dumplings.", ()),
            ("Scallion Pancake", 6.49, "Flaky and crisp with soy dip.", ()),
            ("Cucumber Salad", 5.49, "Smashed cucumbers, garlic, black vinegar.", ()),
        )),
    )),
    ("Pho Saigon Kitchen", ("Vietnamese", "Noodles", "Soup"), 4.3, 455, 30, 1.99, 1.9, "$", "650 Larkin St", (
        ("Pho", (
            ("Pho Tai", 12.95, "Beef noodle soup with rare steak and herbs.", ()),
            ("Pho Ga", 12.45, "Chicken noodle soup, ginger broth.", ()),
            ("Vegetable Pho", 11.95, "Tofu and vegetables in veggie broth.", ()),
        )),
        ("Rice & Vermicelli", (
            ("Lemongrass Chicken Rice Plate", 13.95, "Grilled lemongrass chicken over broken rice.", ()),
            ("Grilled Pork Vermicelli Bowl", 13.45, "Rice vermicelli, grilled pork, herbs, nuoc cham.", ()),
        )),
        ("Starters", (
            ("Fresh Spring Rolls", 6.95, "Shrimp, herbs, peanut sauce.", ()),
            ("Crispy Egg Rolls", 6.45, "Pork and taro, fish sauce dip.", ()),
        )),
        ("Drinks", (("Vietnamese Iced Coffee", 4.95, "Strong drip coffee with condensed milk.", ()),)),
    )),
    ("Golden Wok", ("Chinese", "Asian"), 4.1, 733, 30, 2.99, 2.4, "$", "1015 Clement St", (
        ("Rice", (
            ("Chicken Fried Rice", 10.95, "Wok-fried rice with egg, peas, carrots and chicken.", ()),
            ("Yangzhou Fried Rice", 12.45, "Shrimp, char siu and egg fried rice.", ()),
            ("Steamed Rice", 2.5, "A bowl of jasmine rice.", ()),
        )),
        ("Entrées", (
            ("Orange Chicken", 13.95, "Crispy chicken in tangy orange glaze.", ()),
            ("Kung Pao Chicken", 13.45, "Peanuts, chili, scallions.", ("spice",)),
            ("Beef with Broccoli", 14.45, "Tender beef and broccoli in oyster sauce.", ()),
            ("Mapo Tofu", 11.95, "Silken tofu in spicy bean sauce.", ("spice",)),
        )),
        ("Noodles", (
            ("Chicken Lo Mein", 11.95, "Soft egg noodles with vegetables and chicken.", ()),
            ("Shrimp Chow Mein", 13.45, "Crispy noodles, shrimp, vegetables.", ()),
        )),
        ("Appetizers", (
            ("Egg Rolls", 5.45, "Two crispy vegetable egg rolls.", ()),
            ("Crab Rangoon", 6.95, "Six wontons with cream cheese.", ()),
            ("Hot and Sour Soup", 5.95, "Tofu, mushrooms, bamboo shoots.", ()),
        )),
    )),
    ("Tokyo Don House", ("Japanese", "Rice"), 4.5, 388, 35, 2.99, 3.0, "$$", "1737 Post St", (
        ("Donburi", (
            ("Chicken Teriyaki Rice Bowl", 13.5, "Grilled chicken teriyaki over steamed rice.", ()),
            ("Gyudon", 14.5, "Simmered beef and onion over rice.", ()),
            ("Katsudon", 14.95, "Pork cutlet and egg over rice.", ()),
            ("Salmon Poke Bowl", 16.5, "Fresh salmon, sushi rice, avocado, seaweed.", ()),
        )),
        ("Sushi", (
            ("California Roll", 8.5, "Crab, avocado, cucumber.", ()),
            ("Spicy Tuna Roll", 9.5, "Tuna, spicy mayo, cucumber.", ()),
        )),
        ("Sides", (
            ("Miso Soup", 3.5, "Tofu, wakame, scallion.", ()),
            ("Edamame", 4.5, "Steamed soybeans with sea salt.", ()),
            ("Gyoza", 6.95, "Five pan-fried pork dumplings.", ()),
        )),
    )),
    ("Curry Leaf", ("Indian", "Rice"), 4.4, 501, 40, 2.49, 3.3, "$$", "598 Valencia St", (
        ("Biryani", (
            ("Chicken Biryani", 15.95, "Basmati rice layered with spiced chicken.", ()),
            ("Vegetable Biryani", 13.95, "Basmati rice with seasonal vegetables and saffron.", ()),
        )),
        ("Curries", (
            ("Chicken Tikka Masala", 16.95, "Creamy tomato curry, served with basmati rice.", ()),
            ("Palak Paneer", 14.95, "Spinach and cottage cheese, served with basmati rice.", ()),
            ("Chana Masala", 12.95, "Chickpeas in onion-tomato gravy, served with basmati rice.", ()),
        )),
        ("Breads & Sides", (
            ("Garlic Naan", 3.95, "Tandoor-baked flatbread with garlic.", ()),
            ("Samosas", 5.95, "Two potato and pea pastries.", ()),
            ("Mango Lassi", 4.5, "Yogurt and mango drink.", ()),
        )),
    )),
    ("Slice Republic", ("Pizza", "Italian"), 4.3, 1120, 30, 1.49, 1.6, "$", "1898 Divisadero St", (
        ("Pizzas", (
            ("Cheese Pizza", 12.99, "Mozzarella and tomato sauce.", ("pizza_size", "toppings")),
            ("Pepperoni Pizza", 14.99, "Loaded with pepperoni.", ("pizza_size", "toppings")),
            ("Margherita Pizza", 14.49, "Fresh mozzarella, basil, tomato.", ("pizza_size", "toppings")),
            ("BBQ Chicken Pizza", 16.99, "Chicken, red onion, cilantro, BBQ sauce.", ("pizza_size",)),
            ("Veggie Supreme Pizza", 15.99, "Peppers, olives, onions, mushrooms.", ("pizza_size",)),
        )),
        ("By the Slice", (
            ("Cheese Slice", 3.99, "One big New York slice.", ()),
            ("Pepperoni Slice", 4.49, "One big New York slice with pepperoni.", ()),
        )),
        ("Sides", (
            ("Garlic Knots", 5.49, "Six knots with marinara.", ()),
            ("Caesar Salad", 8.99, "Romaine, parmesan, croutons.", ()),
            ("Soda Can", 1.99, "Cola, lemon-lime or root beer.", ()),
        )),
    )),
    ("Mamma Mia Pizzeria", ("Pizza", "Italian"), 4.6, 842, 40, 3.49, 3.7, "$$", "402 Columbus Ave", (
        ("Wood-Fired Pizza", (
            ("Quattro Formaggi Pizza", 19.5, "Four cheeses, honey drizzle.", ("pizza_size",)),
            ("Diavola Pizza", 18.5, "Spicy salami, chili flakes.", ("pizza_size",)),
            ("Funghi Pizza", 17.5, "Wild mushrooms, thyme, fontina.", ("pizza_size",)),
        )),
        ("Pasta", (
            ("Spaghetti Carbonara", 18.0, "Guanciale, egg, pecorino.", ()),
            ("Penne Arrabbiata", 15.5, "Spicy tomato sauce, garlic.", ()),
            ("Lasagna", 19.0, "Beef ragù, béchamel.", ()),
        )),
        ("Dolci", (("Tiramisu", 8.5, "Espresso-soaked ladyfingers, mascarpone.", ()),
                   ("Cannoli", 6.5, "Two shells with ricotta cream.", ()))),
    )),
    ("The Cluck Shack", ("Chicken", "Sandwiches", "Fast Food"), 4.4, 1310, 25, 0.99, 1.2, "$", "2100 Market St", (
        ("Sandwiches", (
            ("Classic Chicken Sandwich", 7.99, "Crispy fried chicken, pickles, mayo on a brioche bun.", ("addons",)),
            ("Spicy Chicken Sandwich", 8.49, "Nashville-hot fried chicken, slaw, pickles.", ("addons",)),
            ("Grilled Chicken Sandwich", 8.29, "Grilled breast, lettuce, tomato, honey mustard.", ("addons",)),
        )),
        ("Tenders", (
            ("Chicken Tenders", 9.49, "Four hand-breaded tenders with a dip.", ("dip",)),
            ("Popcorn Chicken", 6.99, "Bite-size crispy chicken.", ("dip",)),
        )),
        ("Sides", (
            ("Waffle Fries", 3.29, "Crispy waffle-cut potatoes.", ("fries_size",)),
            ("Mac & Cheese", 3.99, "Creamy and cheesy.", ()),
            ("Coleslaw", 2.49, "Creamy cabbage slaw.", ()),
            ("Sweet Tea", 2.29, "Fresh brewed.", ("drink_size",)),
        )),
    )),
    ("Hearth Rotisserie", ("Chicken", "Sandwiches", "Healthy"), 4.5, 404, 30, 1.99, 2.2, "$$", "3390 Mission St", (
        ("Sandwiches", (
            ("Rotisserie Chicken Sandwich", 11.99, "Pulled rotisserie chicken, aioli, arugula on ciabatta.", ("addons",)),
            ("Chicken Pesto Sandwich", 12.49, "Rotisserie chicken, basil pesto, mozzarella.", ("addons",)),
            ("Turkey Club Sandwich", 12.99, "Roast turkey, bacon, lettuce, tomato.", ()),
        )),
        ("Plates", (
            ("Quarter Rotisserie Chicken", 12.99, "With two sides.", ("sides",)),
            ("Half Rotisserie Chicken", 17.99, "With two sides.", ("sides",)),
            ("Chicken & Rice Plate", 14.49, "Sliced rotisserie chicken over herbed rice.", ()),
        )),
        ("Sides", (
            ("Rosemary Potatoes", 4.49, "Roasted with garlic.", ()),
            ("Seasonal Greens", 4.99, "Lemon vinaigrette.", ()),
        )),
    )),
    ("Subs & Co.", ("Sandwiches", "Subs", "Deli"), 4.2, 667, 25, 1.49, 1.8, "$", "720 Irving St", (
        ("Subs", (
            ("Italian Sub", 9.49, "Salami, ham, capicola, provolone, hot peppers.", ("sub_size", "addons")),
            ("Turkey & Swiss Sub", 8.99, "Turkey, swiss, lettuce, tomato.", ("sub_size", "addons")),
            ("Meatball Marinara Sub", 8.79, "Meatballs, marinara, mozzarella.", ("sub_size",)),
            ("Veggie Delight Sub", 7.49, "Fresh vegetables and provolone.", ("sub_size", "addons")),
            ("Philly Cheesesteak Hoagie", 10.99, "Shaved steak, onions, peppers, cheese.", ("sub_size",)),
        )),
        ("Sides", (
            ("Kettle Chips", 1.99, "Sea salt.", ()),
            ("Chocolate Chip Cookie", 1.49, "Baked fresh.", ()),
            ("Bottled Water", 1.79, "Still water.", ()),
        )),
    )),
    ("Burger Barn", ("Burgers", "American", "Fast Food"), 4.2, 1502, 25, 1.99, 1.5, "$", "1234 Polk St", (
        ("Burgers", (
            ("Classic Cheeseburger", 9.99, "Beef patty, american cheese, pickles, onion.", ("addons",)),
            ("Double Bacon Burger", 13.49, "Two patties, bacon, cheddar.", ("addons",)),
            ("Mushroom Swiss Burger", 11.49, "Sautéed mushrooms, swiss cheese.", ("addons",)),
            ("Veggie Burger", 10.49, "House black bean patty.", ("addons",)),
        )),
        ("Fries & Sides", (
            ("French Fries", 3.99, "Crispy and salted.", ("fries_size",)),
            ("Chili Cheese Fries", 5.99, "Fries with beef chili and cheddar.", ()),
            ("Onion Rings", 4.49, "Beer-battered.", ()),
        )),
        ("Shakes", (
            ("Vanilla Shake", 5.49, "Hand-spun.", ()),
            ("Chocolate Shake", 5.49, "Hand-spun.", ()),
            ("Strawberry Shake", 5.49, "Hand-spun.", ()),
        )),
    )),
    ("Bangkok Street", ("Thai", "Noodles", "Asian"), 4.5, 720, 35, 2.49, 2.6, "$$", "4020 Judah St", (
        ("Noodles", (
            ("Pad Thai", 14.95, "Rice noodles, egg, tamarind, peanuts.", ("protein", "spice")),
            ("Pad See Ew", 14.95, "Wide noodles, Chinese broccoli, soy.", ("protein",)),
            ("Drunken Noodles", 14.95, "Basil, chili, wide rice noodles.", ("protein", "spice")),
        )),
        ("Curries", (
            ("Green Curry", 15.5, "Coconut, bamboo, Thai basil; with jasmine rice.", ("protein", "spice")),
            ("Massaman Curry", 15.5, "Potatoes, peanuts; with jasmine rice.", ("protein",)),
            ("Pineapple Fried Rice", 15.95, "Cashews, raisins, curry powder.", ("protein",)),
        )),
        ("Starters", (
            ("Chicken Satay", 9.5, "Peanut sauce, cucumber relish.", ()),
            ("Tom Yum Soup", 7.95, "Hot and sour lemongrass soup.", ()),
            ("Thai Iced Tea", 4.5, "Sweet and creamy.", ()),
        )),
    )),
    ("Green Leaf Salads", ("Healthy", "Salads", "Vegan"), 4.3, 298, 25, 2.99, 2.0, "$$", "88 Spear St", (
        ("Salads", (
            ("Harvest Salad", 13.45, "Kale, squash, apples, goat cheese.", ()),
            ("Cobb Salad", 13.95, "Chicken, bacon, egg, avocado, blue cheese.", ()),
            ("Greek Salad", 11.95, "Feta, olives, cucumber, tomato.", ()),
        )),
        ("Grain Bowls", (
            ("Brown Rice Power Bowl", 13.95, "Brown rice, roasted veggies, tahini.", ("protein",)),
            ("Quinoa Bowl", 12.95, "Quinoa, chickpeas, greens, lemon.", ()),
        )),
        ("Drinks", (("Green Juice", 7.5, "Kale, apple, ginger.", ()), ("Lemonade", 3.95, "Fresh squeezed.", ()))),
    )),
    ("Sunrise Breakfast Co.", ("Breakfast", "American", "Coffee"), 4.4, 510, 30, 1.99, 1.7, "$$", "1799 Haight St", (
        ("Breakfast", (
            ("Pancake Stack", 10.95, "Three buttermilk pancakes, maple syrup.", ()),
            ("Breakfast Burrito", 11.45, "Eggs, potatoes, cheese, salsa.", ("extras",)),
            ("Avocado Toast", 9.95, "Sourdough, smashed avocado, chili flakes.", ()),
            ("Bacon Egg & Cheese Sandwich", 8.95, "On a toasted English muffin.", ()),
        )),
        ("Coffee", (
            ("Latte", 4.75, "Double shot with steamed milk.", ("drink_size",)),
            ("Cold Brew", 4.5, "Slow-steeped, smooth.", ("drink_size",)),
        )),
        ("Sides", (("Hash Browns", 3.95, "Crispy shredded potatoes.", ()), ("Fruit Cup", 4.5, "Seasonal fruit.", ()))),
    )),
    ("Sweet Cone Creamery", ("Desserts", "Ice Cream"), 4.7, 389, 25, 2.49, 2.3, "$", "3692 18th St", (
        ("Ice Cream", (
            ("Single Scoop", 4.75, "One scoop of your flavor.", ()),
            ("Double Scoop", 7.25, "Two scoops.", ()),
            ("Pint", 11.5, "Hand-packed pint.", ()),
        )),
        ("Treats", (
            ("Hot Fudge Sundae", 8.5, "Two scoops, hot fudge, whipped cream.", ()),
            ("Brownie", 4.25, "Fudgy chocolate brownie.", ()),
            ("Ice Cream Sandwich", 5.5, "Vanilla between two cookies.", ()),
        )),
    )),
    ("Seoul Bowl", ("Korean", "Rice", "Asian"), 4.4, 276, 35, 2.99, 3.1, "$$", "5120 Geary Blvd", (
        ("Rice", (
            ("Bibimbap", 14.5, "Rice, vegetables, egg, gochujang.", ("protein",)),
            ("Bulgogi Rice Plate", 15.5, "Marinated beef over steamed rice.", ()),
            ("Kimchi Fried Rice", 13.5, "Spicy kimchi fried rice with a fried egg.", ()),
        )),
        ("Fried Chicken", (
            ("Korean Fried Chicken", 16.5, "Double-fried, soy garlic or spicy.", ("spice",)),
        )),
        ("Sides", (("Japchae", 11.5, "Sweet potato glass noodles, vegetables.", ()),
                   ("Mandu", 8.5, "Six pork dumplings.", ()))),
    )),
    ("Olive & Pita", ("Mediterranean", "Healthy"), 4.3, 344, 30, 1.99, 2.5, "$$", "510 Castro St", (
        ("Wraps", (
            ("Chicken Shawarma Wrap", 11.95, "Garlic sauce, pickles, fries inside.", ()),
            ("Falafel Wrap", 10.45, "Tahini, tomato, cucumber.", ()),
        )),
        ("Plates", (
            ("Chicken Shawarma Plate", 15.95, "With rice pilaf, hummus and salad.", ()),
            ("Lamb Kebab Plate", 18.95, "With rice pilaf and grilled vegetables.", ()),
        )),
        ("Mezze", (("Hummus & Pita", 6.95, "Creamy chickpea dip.", ()), ("Baklava", 4.25, "Walnut and honey.", ()))),
    )),
    ("Golden Gate Grill", ("American", "Burgers", "Sandwiches"), 4.0, 215, 35, 3.49, 3.9, "$$", "2250 Chestnut St", (
        ("Mains", (
            ("Steak Frites", 24.95, "Flank steak with herb fries.", ()),
            ("Fish & Chips", 18.95, "Beer-battered cod with fries.", ()),
            ("BLT Sandwich", 12.95, "Bacon, lettuce, tomato on sourdough.", ()),
            ("Grill Burger", 15.95, "Half-pound patty, cheddar, onion jam.", ("addons",)),
        )),
        ("Sides", (("Truffle Fries", 6.95, "Parmesan, truffle oil.", ()), ("Side Salad", 5.5, "House greens.", ()))),
    )),
    ("Bay Dumpling House", ("Chinese", "Dumplings"), 4.6, 870, 30, 1.99, 2.7, "$$", "2101 Irving St", (
        ("Dumplings", (
            ("Xiao Long Bao", 10.95, "Eight soup dumplings.", ()),
            ("Pork & Chive Dumplings", 9.95, "Twelve boiled dumplings.", ()),
            ("Shrimp Har Gow", 8.95, "Four steamed shrimp dumplings.", ()),
        )),
        ("Noodles & Rice", (
            ("Beef Noodle Soup", 14.5, "Braised beef shank, hand-pulled noodles.", ()),
            ("Pork Fried Rice", 11.5, "Egg, scallion, char siu.", ()),
        )),
    )),
    ("Tandoori Nights", ("Indian",), 4.1, 190, 45, 3.99, 4.4, "$$", "3100 24th St", (
        ("Tandoor", (
            ("Tandoori Chicken", 16.5, "Half chicken, yogurt and spice marinade.", ()),
            ("Paneer Tikka", 14.5, "Grilled cottage cheese, peppers, onions.", ()),
        )),
        ("Curries", (
            ("Lamb Rogan Josh", 18.5, "Kashmiri chili curry, served with rice.", ()),
            ("Butter Chicken", 17.5, "Tomato-butter gravy, served with rice.", ()),
        )),
        ("Breads", (("Plain Naan", 2.95, "Soft flatbread.", ()), ("Onion Kulcha", 4.5, "Stuffed flatbread.", ()))),
    )),
    ("Bagel Bros", ("Breakfast", "Deli", "Sandwiches"), 4.2, 305, 20, 0.99, 1.1, "$", "900 Cole St", (
        ("Bagels", (
            ("Plain Bagel with Cream Cheese", 3.95, "Toasted, with plain schmear.", ()),
            ("Everything Bagel with Lox", 11.5, "Lox, capers, red onion, cream cheese.", ()),
            ("Egg & Cheese Bagel Sandwich", 7.25, "Fried egg, cheddar.", ("addons",)),
        )),
        ("Drinks", (("Drip Coffee", 2.75, "House blend.", ("drink_size",)),
                    ("Orange Juice", 3.95, "Fresh squeezed.", ()))),
    )),
    ("Ramen Ichiban", ("Japanese", "Noodles", "Ramen"), 4.5, 930, 35, 2.49, 2.9, "$$", "1581 Webster St", (
        ("Ramen", (
            ("Tonkotsu Ramen", 16.5, "Pork bone broth, chashu, egg, ramen noodles.", ("spice",)),
            ("Shoyu Ramen", 15.5, "Soy broth, chicken, bamboo.", ()),
            ("Spicy Miso Ramen", 16.5, "Miso broth, ground pork, chili.", ("spice",)),
            ("Vegetable Ramen", 14.5, "Kombu broth, tofu, corn.", ()),
        )),
        ("Small Plates", (("Karaage", 8.5, "Japanese fried chicken.", ()), ("Takoyaki", 7.5, "Octopus balls.", ()))),
    )),
    ("Pollo Loco Grill", ("Mexican", "Chicken"), 4.0, 410, 30, 1.49, 2.6, "$", "2990 16th St", (
        ("Chicken", (
            ("Two-Piece Chicken Meal", 9.49, "Fire-grilled chicken, tortillas, a side.", ()),
            ("Chicken Tostada Salad", 10.49, "Crispy shell, chicken, beans, greens.", ()),
        )),
        ("Burritos", (("Classic Chicken Burrito", 9.99, "Chicken, Spanish rice, beans, salsa.", ("extras",)),)),
        ("Sides", (("Pinto Beans", 2.99, "Slow-cooked.", ()), ("Churros", 3.49, "Cinnamon sugar.", ()))),
    )),
    ("Boba Bliss", ("Drinks", "Desserts", "Tea"), 4.6, 1045, 20, 1.99, 1.3, "$", "601 Clement St", (
        ("Milk Tea", (
            ("Classic Milk Tea with Boba", 5.75, "Black tea, milk, tapioca pearls.", ("drink_size",)),
            ("Taro Milk Tea", 6.25, "Creamy taro.", ("drink_size",)),
            ("Brown Sugar Boba Milk", 6.5, "Caramelized brown sugar, fresh milk.", ("drink_size",)),
        )),
        ("Fruit Tea", (("Mango Green Tea", 5.95, "Fresh mango, jasmine tea.", ("drink_size",)),
                       ("Passion Fruit Tea", 5.5, "Tart and refreshing.", ("drink_size",)))),
    )),
    ("Crust & Crumb Bakery", ("Bakery", "Desserts", "Coffee"), 4.7, 256, 25, 2.99, 2.2, "$$", "4045 24th St", (
        ("Pastries", (
            ("Butter Croissant", 4.25, "Flaky and golden.", ()),
            ("Almond Croissant", 5.25, "Frangipane, sliced almonds.", ()),
            ("Morning Bun", 4.75, "Orange zest, cinnamon sugar.", ()),
        )),
        ("Cakes", (("Lemon Tart", 6.5, "Bright lemon curd.", ()), ("Carrot Cake Slice", 6.75, "Cream cheese frosting.", ()))),
    )),
    ("Mission Taqueria", ("Mexican", "Tacos"), 4.3, 620, 30, 2.49, 2.4, "$", "2889 Mission St", (
        ("Tacos", (
            ("Carnitas Taco", 3.75, "Slow-cooked pork, onion, cilantro.", ("tortilla",)),
            ("Veggie Taco", 3.25, "Grilled peppers, beans.", ("tortilla",)),
        )),
        ("Plates", (
            ("Enchiladas Plate", 13.5, "Three enchiladas with rice and beans.", ()),
            ("Nachos Supreme", 11.5, "Chips, beans, cheese, jalapeños, sour cream.", ()),
        )),
    )),
    ("Harbor Fish Market", ("Seafood", "American"), 4.4, 330, 40, 3.49, 4.1, "$$$", "Pier 39", (
        ("Seafood", (
            ("Clam Chowder Bread Bowl", 12.95, "Creamy chowder in a sourdough bowl.", ()),
            ("Dungeness Crab Roll", 24.95, "Buttery roll, lemon.", ()),
            ("Fried Calamari", 13.95, "Marinara and aioli.", ()),
            ("Shrimp Basket", 17.95, "Fried shrimp with fries and slaw.", ()),
        )),
    )),
    ("Smokestack BBQ", ("BBQ", "American", "Chicken"), 4.3, 455, 40, 2.99, 3.6, "$$", "2505 3rd St", (
        ("Meats", (
            ("Brisket Plate", 19.5, "Half pound of sliced brisket, pickles, white bread.", ("sides",)),
            ("Pulled Pork Sandwich", 12.5, "Smoked pork shoulder, slaw, brioche.", ("addons",)),
            ("Smoked Half Chicken", 16.5, "Dry-rubbed and slow smoked.", ("sides",)),
            ("St. Louis Ribs", 22.0, "Half rack, sticky glaze.", ()),
        )),
        ("Sides", (
            ("Cornbread", 3.5, "Honey butter.", ()),
            ("Baked Beans", 4.0, "With burnt ends.", ()),
            ("Collard Greens", 4.0, "Slow braised.", ()),
        )),
    )),
    ("Lotus Thai Kitchen", ("Thai", "Asian", "Healthy"), 4.2, 318, 35, 2.49, 2.9, "$$", "3300 Balboa St", (
        ("Mains", (
            ("Panang Curry", 15.0, "Rich peanut curry with jasmine rice.", ("protein", "spice")),
            ("Basil Fried Rice", 14.5, "Holy basil, chili, egg.", ("protein",)),
            ("Glass Noodle Stir-Fry", 14.0, "Bean thread noodles, cabbage, egg.", ("protein",)),
            ("Larb Salad", 12.5, "Minced chicken, lime, herbs, toasted rice powder.", ()),
        )),
        ("Starters", (
            ("Fresh Rolls", 8.0, "Rice paper, tofu, herbs.", ()),
            ("Coconut Soup", 8.5, "Tom kha with mushrooms.", ()),
        )),
    )),
    ("Athens Gyro", ("Mediterranean", "Greek"), 4.4, 512, 25, 1.49, 1.9, "$", "1790 Haight St", (
        ("Gyros", (
            ("Classic Lamb Gyro", 11.0, "Lamb and beef, tzatziki, tomato, onion, in pita.", ()),
            ("Chicken Gyro", 10.5, "Marinated chicken, tzatziki, in pita.", ()),
            ("Falafel Gyro", 9.5, "Chickpea fritters, tahini, in pita.", ()),
        )),
        ("Plates", (
            ("Souvlaki Plate", 16.5, "Two skewers, lemon potatoes, Greek salad.", ()),
            ("Spanakopita", 7.5, "Spinach and feta pie.", ()),
        )),
        ("Sweets", (("Loukoumades", 6.0, "Honey doughnuts, cinnamon.", ()),)),
    )),
    ("Sushi Zen", ("Japanese", "Sushi"), 4.7, 640, 40, 3.49, 3.4, "$$$", "1830 Irving St", (
        ("Rolls", (
            ("Rainbow Roll", 15.5, "Crab and avocado topped with five kinds of fish.", ()),
            ("Dragon Roll", 14.5, "Eel, cucumber, avocado.", ()),
            ("Salmon Avocado Roll", 9.5, "Simple and fresh.", ()),
            ("Vegetable Roll", 7.5, "Cucumber, avocado, pickled radish.", ()),
        )),
        ("Nigiri & Sashimi", (
            ("Chef's Nigiri Set", 28.0, "Ten pieces, chef's choice.", ()),
            ("Sashimi Plate", 26.0, "Twelve slices.", ()),
        )),
        ("Sides", (("Seaweed Salad", 5.5, "Sesame dressing.", ()), ("Agedashi Tofu", 7.0, "Dashi broth.", ()))),
    )),
    ("Waffle Window", ("Breakfast", "Desserts"), 4.5, 287, 25, 1.99, 2.0, "$", "3610 Balboa St", (
        ("Waffles", (
            ("Belgian Waffle", 8.5, "Butter and maple syrup.", ()),
            ("Chicken & Waffle", 14.0, "Crispy chicken thigh, hot honey.", ()),
            ("Strawberry Waffle", 10.0, "Fresh strawberries, whipped cream.", ()),
        )),
        ("Drinks", (("Hot Chocolate", 4.0, "With marshmallows.", ("drink_size",)),)),
    )),
    ("La Cocina Verde", ("Mexican", "Healthy", "Vegan"), 4.1, 199, 35, 2.49, 3.2, "$$", "3071 16th St", (
        ("Mains", (
            ("Jackfruit Tacos", 12.0, "Three tacos, chipotle jackfruit, slaw.", ("tortilla",)),
            ("Black Bean Enchiladas", 13.5, "Salsa roja, cashew crema.", ()),
            ("Tostada Salad", 11.0, "Beans, greens, avocado, crispy shell.", ()),
        )),
        ("Sides", (("Elote", 5.0, "Grilled corn, lime, chili.", ()), ("Agua Fresca", 4.0, "Watermelon or hibiscus.", ()))),
    )),
    ("Dragon Express", ("Chinese", "Fast Food"), 3.9, 842, 20, 0.99, 1.0, "$", "777 Kearny St", (
        ("Combos", (
            ("Two-Entrée Combo", 11.5, "Pick two entrées with chow mein.", ()),
            ("Sesame Chicken", 10.5, "Sweet sesame glaze.", ()),
            ("General Tso's Chicken", 10.5, "Sweet and spicy.", ("spice",)),
            ("Broccoli Beef", 11.0, "Tender beef, broccoli.", ()),
        )),
        ("Sides", (("Spring Rolls", 3.5, "Two vegetable rolls.", ()), ("Wonton Soup", 5.0, "Pork wontons.", ()))),
    )),
    ("Nonna's Slice", ("Pizza",), 4.0, 377, 30, 1.99, 2.3, "$", "1500 Church St", (
        ("Pies", (
            ("Sicilian Square Pizza", 16.0, "Thick crust, tomato, pecorino.", ("pizza_size",)),
            ("White Pizza", 15.0, "Ricotta, garlic, mozzarella.", ("pizza_size", "toppings")),
            ("Sausage & Peppers Pizza", 17.0, "Fennel sausage, roasted peppers.", ("pizza_size",)),
        )),
        ("Extras", (("Meatballs", 8.0, "Three meatballs in marinara.", ()), ("House Salad", 7.0, "Red wine vinaigrette.", ()))),
    )),
    ("Sandwich Spot", ("Sandwiches", "Deli"), 4.5, 702, 25, 1.49, 1.6, "$", "1200 9th Ave", (
        ("Sandwiches", (
            ("Bomb Turkey Sandwich", 11.95, "Turkey, pesto, cheddar, on Dutch crunch.", ("addons",)),
            ("Roast Beef Sandwich", 12.45, "Roast beef, horseradish, swiss.", ("addons",)),
            ("Caprese Sandwich", 10.95, "Mozzarella, tomato, basil.", ()),
            ("Chicken Salad Sandwich", 10.95, "House chicken salad, lettuce.", ()),
        )),
        ("Sides", (("Potato Salad", 3.5, "Dill and mustard.", ()), ("Pickle", 1.25, "A whole dill pickle.", ()))),
    )),
)

CATEGORIES = ("Pizza", "Chinese", "Japanese", "Mexican", "Burgers", "Chicken", "Wings", "Sandwiches", "Noodles",
              "Rice", "Thai", "Indian", "Healthy", "Breakfast", "Desserts", "Seafood")

USER = {
    "name": "Jordan Rivera", "phone": "(415) 555-0142", "email": "jordan.rivera@example.com",
    "addresses": [
        {"label": "Home", "street": "742 Valencia St, Apt 3", "city": "San Francisco, CA", "zip": "94110",
         "instructions": "Leave at the door"},
        {"label": "Work", "street": "535 Mission St, Floor 14", "city": "San Francisco, CA", "zip": "94105",
         "instructions": "Hand it to me"},
    ],
    "card": {"brand": "Visa", "last4": "4242", "expires": "08/28"},
}


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _options(keys) -> list[dict]:
    out = []
    for k in keys:
        group, required, single, choices = OPTIONS[k]
        out.append({"name": group, "required": required, "single": single,
                    "choices": [{"name": c, "price": p} for c, p in choices]})
    return out


def restaurants() -> list[dict]:
    out = []
    for (name, cats, rating, reviews, minutes, fee, miles, price_level, street, sections) in STORES:
        rid = slug(name)
        items = []
        for section, rows in sections:
            for i, (item, price, desc, keys) in enumerate(rows):
                items.append({"id": f"{rid}--{slug(item)}", "name": item, "price": price, "description": desc,
                              "section": section, "popular": i == 0, "options": _options(keys)})
        out.append({"id": rid, "name": name, "categories": list(cats), "rating": rating, "reviews": reviews,
                    "deliveryMinutes": minutes, "deliveryFee": fee, "distance": miles, "priceLevel": price_level,
                    "address": f"{street}, San Francisco, CA", "sections": [s for s, _ in sections],
                    "menu": items})
    return out


def by_name(name: str) -> dict:
    for r in restaurants():
        if r["name"] == name:
            return r
    raise KeyError(name)


def find_item(store: str, item: str) -> dict:
    for it in by_name(store)["menu"]:
        if it["name"] == item:
            return it
    raise KeyError(f"{store}: {item}")


def unit_price(item: dict, choices: dict[str, list[str]] | None = None) -> float:
    """One unit of ``item`` with ``choices`` ({group: [choice, ...]}; required single groups default to their
    first choice)."""
    choices = choices or {}
    total = item["price"]
    for g in item["options"]:
        picked = choices.get(g["name"]) or ([g["choices"][0]["name"]] if g["required"] else [])
        total += sum(c["price"] for c in g["choices"] if c["name"] in picked)
    return round(total, 2)


def money(x: float) -> float:
    return round(x + 1e-9, 2)


def charges(subtotal: float, delivery_fee: float, shipping: str = "Delivery", delivery: str = "Standard",
            tip: float = DEFAULT_TIP) -> dict:
    """The order summary's charges (as ``static/app.js`` computes them)."""
    subtotal = money(subtotal)
    pickup = shipping == "Pickup"
    fee = 0.0 if pickup else delivery_fee
    express = EXPRESS_FEE if (not pickup and delivery == "Express") else 0.0
    service = 0.0 if pickup else money(max(MIN_SERVICE_FEE, subtotal * SERVICE_RATE))
    tax = money(subtotal * TAX_RATE)
    tip = 0.0 if pickup else tip
    total = money(subtotal + fee + express + service + tax + tip)
    return {"subtotal": subtotal, "deliveryFee": fee, "expressFee": express, "serviceFee": service,
            "estimatedTax": tax, "dasherTip": tip, "totalAmount": total}


def initial_state(task_name: str | None = None) -> dict:
    import copy
    return {
        "restaurants": restaurants(),
        "cart": {"cartItems": [], "foodOrders": {}},
        "checkout": {"shippingOption": "Delivery", "deliveryOption": "Standard", "addressIndex": 0,
                     "tip": DEFAULT_TIP},
        "user": copy.deepcopy(USER),
        "ui": {"route": "/"},
    }


def find_item_anywhere(item: str) -> dict:
    """The first dish of that name in any store (the plans only need its option groups)."""
    for r in restaurants():
        for it in r["menu"]:
            if it["name"] == item:
                return it
    raise KeyError(item)
