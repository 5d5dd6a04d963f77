/**
 * The bundled general-domain similarity set of the forgetting guard: 64 English sentence pairs written for
 * Embedding Studio (no third-party text, so it ships under the project's own licence), each scored 0–5 on the
 * STS Benchmark's scale:
 *   5 the same meaning · 4 mostly the same, a minor detail differs · 3 roughly the same, an important detail
 *   differs · 2 not the same, some details shared · 1 the same topic only · 0 unrelated.
 * Topics are everyday ones (weather, food, travel, work, sport, health, science, money, home), so a model that
 * has specialised on a narrow domain and lost general similarity shows it here.
 */

/** [sentence1, sentence2, score 0..5]. */
export type GeneralPair = readonly [string, string, number];

export const GENERAL_PAIRS: readonly GeneralPair[] = [
  ['A man is playing a guitar on the street.', 'A man plays the guitar outside on the pavement.', 5],
  ['The cat is sleeping on the sofa.', 'A cat naps on the couch.', 5],
  ['It is raining heavily in the city today.', 'Heavy rain is falling over the city today.', 5],
  ['She bought a new laptop yesterday.', 'Yesterday she purchased a new notebook computer.', 5],
  ['The train to London was cancelled.', 'The London train has been cancelled.', 5],
  ['Two children are building a sandcastle on the beach.', 'Two kids make a sand castle at the seaside.', 5],
  ['The museum opens at nine in the morning.', 'The museum opens its doors at 9 a.m.', 5],
  ['He forgot his keys at the office.', 'He left his keys behind at work.', 5],
  ['The soup needs more salt.', 'The soup is not salty enough.', 4],
  ['A woman is slicing an onion in the kitchen.', 'A woman is cutting vegetables in a kitchen.', 4],
  ['The company reported higher profits this quarter.', 'Profits at the firm rose in the latest quarter.', 4],
  ['The doctor told him to drink more water.', 'His physician advised him to stay hydrated.', 4],
  ['A dog is running across a green field.', 'A brown dog runs through the grass.', 4],
  ['The flight was delayed by two hours.', 'The plane left two hours late.', 4],
  ['The team won the match in the final minute.', 'They scored the winning goal just before the end of the game.', 4],
  ['Prices of vegetables went up last month.', 'Vegetables became more expensive in the past month.', 4],
  ['The library is closed on Sundays.', 'The library is closed at the weekend.', 3],
  ['A man is riding a bicycle down the hill.', 'A man is riding a motorbike down the hill.', 3],
  ['She drinks coffee every morning.', 'She drinks tea every morning.', 3],
  ['The meeting was moved to Thursday.', 'The meeting was cancelled.', 2],
  ['The bridge will be repaired next year.', 'The bridge was repaired last year.', 3],
  ['A girl is reading a book in the park.', 'A girl is writing a letter in the park.', 3],
  ['The bank raised interest rates by half a percent.', 'The central bank raised interest rates again.', 3],
  ['He is learning to play the piano.', 'He teaches piano lessons.', 2],
  ['The restaurant serves Italian food.', 'The restaurant is famous for its pizza.', 3],
  ['The hospital needs more nurses.', 'The hospital hired twenty new nurses.', 2],
  ['A boy is kicking a football in the yard.', 'A boy is throwing a baseball in the yard.', 2],
  ['The river flooded several villages.', 'Several villages were hit by a storm.', 2],
  ['She is painting the walls of her bedroom.', 'She is decorating her living room.', 2],
  ['The shop sells fresh bread every morning.', 'The bakery opens early in the morning.', 2],
  ['The scientist published a paper on climate change.', 'Climate change is affecting farmers.', 1],
  ['My phone battery dies quickly.', 'I need to buy a new phone case.', 1],
  ['The children are playing in the snow.', 'Snow is expected in the mountains tonight.', 1],
  ['He runs five kilometres every day.', 'The marathon takes place in April.', 1],
  ['The car needs new tyres.', 'Traffic on the motorway was heavy this morning.', 1],
  ['The teacher gave the class a difficult test.', 'The school is building a new gym.', 1],
  ['Apples are rich in fibre.', 'The orchard grows several kinds of fruit.', 1],
  ['The concert was sold out in minutes.', 'The band is recording a new album.', 1],
  ['A woman is jogging along the river.', 'The stock market fell sharply today.', 0],
  ['The cake is baking in the oven.', 'The parliament passed a new law.', 0],
  ['A man is fixing the roof of his house.', 'The tennis final was postponed because of rain.', 0],
  ['The baby is crying in her crib.', 'The telescope discovered a distant galaxy.', 0],
  ['He ordered a pizza for dinner.', 'The volcano erupted last night.', 0],
  ['Birds are singing in the trees.', 'The software update fixed a security bug.', 0],
  ['She lost her umbrella on the bus.', 'The factory produces steel pipes.', 0],
  ['The garden is full of roses.', 'The election results will be announced tomorrow.', 0],
  ['A plane is taking off from the airport.', 'An aircraft is departing from the runway.', 5],
  ['The students are listening to a lecture.', 'Students attend a talk in the lecture hall.', 4],
  ['The water in the lake is very cold.', 'The lake is freezing cold.', 4],
  ['He sold his old car to a neighbour.', 'His neighbour bought the old car from him.', 5],
  ['A chef is preparing sushi.', 'A cook is making Japanese food.', 4],
  ['The printer is out of paper.', 'The printer has run out of ink.', 2],
  ['The city plans to build more bike lanes.', 'More cycle paths are planned in the city.', 4],
  ['The movie was boring and too long.', 'The film was exciting from start to finish.', 1],
  ['She passed her driving test on the first try.', 'She failed her driving test twice.', 1],
  ['The old man is feeding pigeons in the square.', 'An elderly man feeds birds in the plaza.', 5],
  ['A group of people are dancing at a wedding.', 'Guests are dancing at the wedding party.', 4],
  ['The patient recovered quickly after surgery.', 'The operation went well and the patient is home.', 3],
  ['The new phone has a larger screen.', 'The latest phone comes with a bigger display.', 5],
  ['Wind turbines generate electricity.', 'Solar panels produce power from sunlight.', 2],
  ['The post office is next to the bank.', 'The bank is beside the post office.', 5],
  ['He is allergic to peanuts.', 'He cannot eat nuts.', 3],
  ['The puppy chewed my shoes.', 'My new shoes are too small.', 1],
  ['The hotel room had a view of the sea.', 'From our hotel room we could see the ocean.', 5],
];
